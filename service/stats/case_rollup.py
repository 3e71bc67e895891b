"""Officers' side of the daily figures (审核, 撤销, 决定, 罚没, 卸载/驳载/劝返, 移交公安), kept in the
transaction that does the work.

Before each flush, every case, party matter and station action the flush writes is compared
with its row as stored: the figures the stored row contributed are taken away and those of the
new state added, per site and Beijing day (`contributions`), as one upsert of increments into
`site_daily_case_stats`. The increments go with the transaction: a step rolled back (or a
savepoint) takes its figures with it, and increments commute, so two officers acting on the
same site-day both count. The row lock the upsert takes is taken during the step, before the
audit chain's head at commit, the same order in every transaction.

Rows written with SQL that bypasses the ORM (bench fills) are counted with `recount_all`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from models import Case, PartyMatter, SiteDailyCaseStats, StationAction
from service.clock import local_date
from service.extensions import db

CASE_ATTRS = ("site_id", "reviewed_at", "dismissed_at")
MATTER_ATTRS = (
    "case_id", "party", "authority", "decided_at", "decision_kind", "decision_amount_yuan",
    "paid_at", "paid_amount_yuan", "referred_at", "closed_at", "outcome",
)  # fmt: skip
ACTION_ATTRS = ("case_id", "at", "kind", "kg")
TRACKED = {Case: CASE_ATTRS, PartyMatter: MATTER_ATTRS, StationAction: ACTION_ATTRS}
COLUMNS = (
    "confirmed", "dismissed", "decided", "warnings", "fines", "fines_yuan", "collected_yuan",
    "unloaded", "unloaded_kg", "transferred", "transferred_kg", "turned_back",
    "source_penalties", "referrals", "police_outcomes",
)  # fmt: skip


def contributions(model, v: dict) -> list[tuple[datetime, str, float]]:
    """What one row adds to the figures: (when, column, amount). The definitions are in
    service/stats/definitions.py; this is where they are counted."""
    out: list[tuple[datetime, str, float]] = []
    if model is Case:
        if v["reviewed_at"]:
            out.append((v["reviewed_at"], "confirmed", 1))
        if v["dismissed_at"]:
            out.append((v["dismissed_at"], "dismissed", 1))
    elif model is PartyMatter:
        at = v["decided_at"]
        if at and v["authority"] == "agency":
            if v["party"] == "vehicle":
                out.append((at, "decided", 1))
            if v["decision_kind"] == "warning":
                out.append((at, "warnings", 1))
            elif v["decision_kind"] == "fine":
                out += [(at, "fines", 1), (at, "fines_yuan", v["decision_amount_yuan"] or 0)]
            if v["party"] == "source_enterprise" and v["decision_kind"]:
                out.append((at, "source_penalties", 1))
        if v["paid_at"]:
            out.append((v["paid_at"], "collected_yuan", v["paid_amount_yuan"] or 0))
        if v["authority"] == "police":
            if v["referred_at"]:
                out.append((v["referred_at"], "referrals", 1))
            if v["closed_at"] and v["outcome"] is not None:
                out.append((v["closed_at"], "police_outcomes", 1))
    elif model is StationAction:
        name = {"unloading": "unloaded", "transfer": "transferred", "turned_back": "turned_back"}.get(v["kind"])
        if name:
            out.append((v["at"], name, 1))
            if name != "turned_back":
                out.append((v["at"], f"{name}_kg", v["kg"] or 0))
    return out


def _site_of(session: Session, model, v: dict, sites: dict) -> int | None:
    if model is Case:
        return v["site_id"]
    case_id = v["case_id"]
    if case_id not in sites:
        case = session.identity_map.get((Case, (case_id,), None)) if case_id is not None else None
        sites[case_id] = (
            case.site_id
            if case is not None
            else session.connection().scalar(select(Case.site_id).where(Case.id == case_id))
        )
    return sites[case_id]


def _stored(session: Session, model, obj) -> dict | None:
    """The row as the database holds it before this flush (None: not stored yet)."""
    pk = obj.id
    if pk is None:
        return None
    table = model.__table__
    row = session.connection().execute(select(*[table.c[a] for a in TRACKED[model]]).where(table.c.id == pk)).first()
    return dict(row._mapping) if row is not None else None


def _current(model, obj) -> dict:
    v = {a: getattr(obj, a) for a in TRACKED[model]}
    if model is not Case and v["case_id"] is None and getattr(obj, "case", None) is not None:
        v["case_id"] = obj.case.id
    return v


def _changed(obj, model) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[a].history.has_changes() for a in TRACKED[model])


def _before_flush(session: Session, flush_context, instances) -> None:
    deltas: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sites: dict = {}

    def add(model, v: dict | None, sign: int) -> None:
        if v is None:
            return
        for at, column, amount in contributions(model, v):
            site = _site_of(session, model, v, sites)
            if site is not None and at is not None:
                deltas[(site, local_date(at))][column] += sign * amount

    for obj in list(session.new):
        model = type(obj)
        if model in TRACKED:
            add(model, _current(model, obj), +1)
    for obj in list(session.dirty):
        model = type(obj)
        if model in TRACKED and _changed(obj, model):
            add(model, _stored(session, model, obj), -1)
            add(model, _current(model, obj), +1)
    for obj in list(session.deleted):
        model = type(obj)
        if model in TRACKED:
            add(model, _stored(session, model, obj), -1)
    apply(session, deltas)


def apply(session: Session, deltas: dict[tuple, dict[str, float]]) -> None:
    """One upsert of increments, in key order (the same order in every transaction)."""
    from service.ingest.store import insert_for

    table = SiteDailyCaseStats.__table__
    rows = []
    for (site, day), d in sorted(deltas.items()):
        if any(d.values()):
            rows.append({"site_id": site, "day": day, **{c: _num(c, d.get(c, 0)) for c in COLUMNS}})
    if not rows:
        return
    for start in range(0, len(rows), 400):  # below every driver's limit on bound parameters
        stmt = insert_for(SiteDailyCaseStats).values(rows[start : start + 400])
        session.connection().execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.site_id, table.c.day], set_={c: table.c[c] + stmt.excluded[c] for c in COLUMNS}
            )
        )


def _num(column: str, value: float):
    return value if column.endswith("_kg") else int(round(value))


def recount_all(session: Session) -> int:
    """Count the officers' figures afresh from every case, matter and station action (for
    data written without the ORM, such as a benchmark's fill). Returns the site-days written."""
    deltas: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sites = dict(session.execute(select(Case.id, Case.site_id)).all())
    for model, attrs in TRACKED.items():
        table = model.__table__
        for row in session.execute(select(*[table.c[a] for a in attrs])):
            v = dict(row._mapping)
            site = v["site_id"] if model is Case else sites.get(v["case_id"])
            for at, column, amount in contributions(model, v):
                deltas[(site, local_date(at))][column] += amount
    session.execute(delete(SiteDailyCaseStats))
    apply(session, deltas)
    return len(deltas)


event.listen(db.session, "before_flush", _before_flush)
