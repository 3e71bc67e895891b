"""Demo: what the weigh stations and highway entrances did with the trucks they stopped — 卸载
(unloading to the limit), 驳载 (a transfer to another truck) and 劝返 (turned back at the
entrance) — so the dashboard's station figures are not all zero. Each is a step of the
procedure (audited); the station acted while the truck stood there, so its time is the
weighing's time plus a few minutes."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select

from models import Case, Site, User
from service import clock
from service.extensions import db

UNLOAD_EVERY, TRANSFER_EVERY, TURN_BACK_EVERY = 3, 11, 4  # of the stations' / entrances' cases


def demo_station_actions() -> int:
    from service.procedure import ANY_VERSION, run_step

    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    if supervisor is None:
        return 0
    done = 0
    rows = db.session.execute(
        select(Case, Site.kind)
        .join(Site, Site.id == Case.site_id)
        .where(Case.status == "pending_review", Site.kind.in_(("static", "toll_entry")), Case.excess_kg > 0)
        .order_by(Case.id)
    ).all()
    for n, (case, kind) in enumerate(rows):
        if kind == "static" and n % UNLOAD_EVERY == 0:
            what, kg = "unloading", math.ceil(case.excess_kg / 100) * 100  # to the limit, in 100 kg
        elif kind == "static" and n % TRANSFER_EVERY == 1:
            what, kg = "transfer", math.ceil(case.excess_kg / 100) * 100
        elif kind == "toll_entry" and n % TURN_BACK_EVERY == 0:
            what, kg = "turned_back", None
        else:
            continue
        kg = min(kg, case.gross_weight_kg) if kg is not None else None
        effect = run_step("station_action", case, supervisor, {"kind": what, "kg": kg}, expected_version=ANY_VERSION)
        effect.result.at = min(case.captured_at + timedelta(minutes=20), clock.now())
        done += 1
    db.session.flush()
    return done
