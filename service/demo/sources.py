"""The demo's source side (源头倒查): where the sites and the source enterprises are, their exit
weighbridges posting a month of loadings through the real ingest path (`ingest_loadings`), trucks
that leave overloaded (their source cases), and confirmed roadside cases that show tracing — one
with a clear candidate (a 百吨王), one with two competing ones, one with none, one led only by
an earlier sighting near a quarry — and a sand yard whose weighbridge reports its trucks under
the limit which the road then weighs far over, and a logistics park whose weighbridge went
silent while its trucks keep running. Fixed seed: the same `now` gives the same records."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from models import Case, Enterprise, Site, User, Weighbridge
from models.case import REVIEW_CHECKS
from service.clock import CST
from service.extensions import db
from service.ingest.operations import ingest_batch
from service.sources.ingest import ingest_loadings
from service.sources.weighbridges import create_weighbridge

from .data import SEED

# WGS-84 positions (approximate, for distances only).
SITE_POSITIONS = {
    "CC-WIM-01": (43.87, 125.17), "CC-TOL-01": (44.00, 125.33), "JL-WIM-01": (43.90, 126.47),
    "JL-STA-01": (43.82, 126.42), "JL-TOL-01": (43.85, 126.40), "SP-WIM-01": (43.25, 124.33),
    "SP-STA-01": (43.17, 124.37),
}  # fmt: skip
# (enterprise name, position, weighbridge code, name)
SOURCES = (
    ("吉林市丰满区恒基砂石料场", (43.80, 126.45), "HJ-WB-01", "恒基砂石料场 出场地磅"),
    ("四平市铁东区金石采石有限公司", (43.15, 124.39), "JS-WB-01", "金石采石 东门出场地磅"),
    ("长春东北亚物流园有限公司", (44.02, 125.33), "DBY-WB-01", "物流园 北门出场地磅"),
)
DESTINATIONS = ("长春市绿园区", "长春市宽城区", "吉林市船营区", "四平市铁西区", "四平市梨树县", "公主岭市")
CARGO = {"HJ-WB-01": "砂石", "JS-WB-01": "碎石", "DBY-WB-01": "钢材"}
BACKGROUND_PER_DAY = 12


def demo_sources(now: datetime, days: int) -> dict:
    """Load the source side once (it is skipped when the weighbridges exist). Commits."""
    if db.session.scalar(select(Weighbridge.id).where(Weighbridge.code == SOURCES[0][2])):
        return {}
    _positions()
    bridges = _weighbridges(now)
    rng = random.Random(SEED + 11)
    out = {"loadings": 0, "source_cases": 0, "traced": 0}
    items = _background(rng, now, days)
    items += _scenario_loadings(now)
    for start in range(0, len(items), 500):
        res = ingest_loadings(items[start : start + 500], now=now)
        out["loadings"] += res.accepted
        out["source_cases"] += sum(1 for r in res.results if r.get("source_case_id"))
    db.session.commit()
    cases = _scenario_readings(now)
    out["traced"] = _confirm_and_trace(cases)
    db.session.commit()
    out["weighbridges"] = len(bridges)
    return out


def _positions() -> None:
    for site in db.session.scalars(select(Site).where(Site.code.in_(SITE_POSITIONS))):
        if site.latitude is None:
            site.latitude, site.longitude = SITE_POSITIONS[site.code]
    for name, (lat, lon), _, _ in SOURCES:
        e = db.session.scalar(select(Enterprise).where(Enterprise.name == name))
        if e is not None and e.latitude is None:
            e.latitude, e.longitude = lat, lon


def _weighbridges(now: datetime) -> list[Weighbridge]:
    made = []
    until = (now.astimezone(CST) + timedelta(days=200)).date()
    for name, _, code, label in SOURCES:
        e = db.session.scalar(select(Enterprise).where(Enterprise.name == name))
        if e is not None:
            made.append(create_weighbridge(code, e.uscc, label, until, "III", actor="demo")[0])
    db.session.flush()
    return made


def _item(code, record, when, plate, gross, *, destination=None, axles=6) -> dict:
    return {
        "weighbridge_code": code, "record_id": record, "weighed_at": when.isoformat(timespec="seconds"),
        "plate": plate, "plate_color": "yellow", "axle_count": axles, "vehicle_type": "combination",
        "gross_weight_kg": gross, "tare_weight_kg": 15500, "cargo": CARGO[code],
        "waybill_no": f"YD{when:%m%d}{record[-4:]}", "destination": destination,
    }  # fmt: skip


def _background(rng: random.Random, now: datetime, days: int) -> list[dict]:
    """Ordinary exit weighings: mostly legal, now and then a truck let out over the limit. The
    park's weighbridge stops four days ago (its trucks keep running: see _scenario_readings)."""
    items = []
    for _, _, code, _ in SOURCES:
        last_day = 4 if code == "DBY-WB-01" else 0
        for day in range(days, last_day, -1):
            for n in range(BACKGROUND_PER_DAY):
                when = now - timedelta(days=day - 1, hours=rng.uniform(1, 23))
                plate = f"吉{rng.choice('ABC')}{rng.choice('DFGHK')}{rng.randint(1000, 9999)}"
                over = rng.random() < 0.04
                gross = rng.randint(50_500, 64_000) if over else rng.randint(38_000, 48_800)
                items.append(_item(code, f"{code}-{day:02d}{n:03d}", when, plate, gross,
                                   destination=rng.choice(DESTINATIONS)))  # fmt: skip
    park = [f"吉AD{7100 + i}" for i in range(3)]  # the park's regulars, seen on the road since
    for i, plate in enumerate(park):
        items.append(_item("DBY-WB-01", f"DBY-WB-01-R{i:03d}", now - timedelta(days=5, hours=i), plate, 46_000,
                           destination="长春市宽城区"))  # fmt: skip
    return items


# (plate, weighbridge, hours before now, exit gross, destination) — the scenario's exit weighings
SCENARIO_LOADINGS = (
    ("吉C5A201", "JS-WB-01", 5, 101_000, "长春市绿园区"),  # clear: a 百吨王 let out at the quarry
    ("吉B7K352", "HJ-WB-01", 8, 58_500, "四平市梨树县"),  # competing: two exits in the window
    ("吉B7K352", "JS-WB-01", 4, 59_200, "四平市梨树县"),
    *((f"吉B3T66{i}", "HJ-WB-01", 30 + 24 * i, 48_200 - 300 * i, "吉林市船营区") for i in range(4)),  # under-reported
)
# (plate, site, hours before now, road gross, confirm?) — the scenario's roadside weighings
SCENARIO_READINGS = (
    ("吉C5A201", "CC-WIM-01", 2, 102_500, True),  # one clear candidate, 百吨王
    ("吉B7K352", "SP-WIM-01", 1, 60_000, True),  # two competing candidates
    ("辽A3M776", "CC-WIM-01", 3, 64_000, True),  # no lead at all
    ("吉C9P118", "SP-STA-01", 30, 41_000, False),  # seen near the quarry the day before …
    ("吉C9P118", "CC-WIM-01", 4, 63_500, True),  # … then caught: led by the sighting only
    *((f"吉B3T66{i}", "JL-STA-01", 28 + 24 * i, 60_500 + 400 * i, i < 2) for i in range(4)),
    *((f"吉AD{7100 + i}", "CC-TOL-01", 30 + 20 * i, 42_000, False) for i in range(3)),  # the silent park's trucks
)


def _scenario_loadings(now: datetime) -> list[dict]:
    return [_item(code, f"{code}-S{n:03d}", now - timedelta(hours=h), plate, gross, destination=dest)
            for n, (plate, code, h, gross, dest) in enumerate(SCENARIO_LOADINGS)]  # fmt: skip


def _scenario_readings(now: datetime) -> list[Case]:
    from service.outbox import drain

    items, confirm = [], []
    for n, (plate, site, hours, gross, to_confirm) in enumerate(SCENARIO_READINGS):
        when = (now - timedelta(hours=hours)).astimezone(CST)
        items.append({"site_code": site, "record_id": f"SRC-{n:03d}", "captured_at": when.isoformat(timespec="seconds"),
                      "plate": plate, "plate_color": "yellow", "axle_count": 6,
                      "vehicle_type": "combination", "gross_weight_kg": gross, "speed_kmh": 58.0})  # fmt: skip
        confirm.append(to_confirm)
    res = ingest_batch(items, now=now)
    db.session.commit()
    drain(max_batches=100)
    db.session.commit()
    ids = [r.get("case_id") for r, ok in zip(res.results, confirm, strict=True) if ok]
    cases = [db.session.get(Case, i) for i in ids if i]
    try:  # the evidence set a device would send, where the service makes demo samples
        from service.evidence.samples import attach_samples

        attach_samples([c.reading_id for c in cases])
        db.session.commit()
    except ImportError:
        pass
    return cases


def _confirm_and_trace(cases: list[Case]) -> int:
    """The officer confirms the scenario cases (they join the trace queue); the investigator has
    already confirmed the source of the 百吨王 case closed by the demo's procedure walk."""
    from service.demo.procedure import acting_officer
    from service.procedure import ANY_VERSION, run_step
    from service.sources import trace_ops

    investigator = db.session.scalar(select(User).where(User.username == "investigator"))
    for case in cases:  # each by an officer of the agency that holds it
        run_step("confirm", case, acting_officer(case), {"checklist": {k: True for k in REVIEW_CHECKS}},
                 expected_version=ANY_VERSION)  # fmt: skip
    traced = 0
    closed = db.session.scalars(select(Case).where(Case.status == "closed", Case.loading_id.is_(None))).all()
    for case in closed:
        source = next((m for m in case.matters if m.party == "source_enterprise" and m.enterprise_id), None)
        if source is not None and investigator is not None:
            trace_ops.confirm(case, investigator, source.enterprise_id,
                              "演示：驾驶人笔录及料场装载台账证实在该单位装载")  # fmt: skip
            traced += 1
    return traced
