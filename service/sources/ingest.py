"""Loading ingest (CONTRACT §6): validate, classify as at a static scale, store, and open a
source case (源头超限装载, S-NO-EXIT) for every new over-limit loading — one transaction, like
the readings' (service/ingest/operations.py). Flush only; the caller commits.

Nothing here needs Redis: a loading's whole consequence (the source case and its matter) is
written in the same transaction, so an outage of Redis loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models import Case, Enterprise, Loading, PartyMatter
from service.clock import CST
from service.config import rule_settings
from service.extensions import db
from service.ingest.operations import BatchResult
from service.ingest.store import insert_for
from service.ingest.validation import text_problem
from service.rules import NoRuleInForce, ReadingFacts, SiteFacts, classify, deducted_excess, penalty_bars
from service.rules.source_loading import plan_source_case
from service.sources.store import insert_loadings
from service.sources.validation import validate_loading
from service.sources.weighbridges import BridgeInfo, load_bridges

RESULT_FIELDS = ("limit_kg", "overlimit")


def ingest_loadings(
    items: Sequence,
    *,
    only_bridge: BridgeInfo | None = None,
    source: str = "api",
    now: datetime | None = None,
    future_skew_s: int = 300,
) -> BatchResult:
    """Store every valid loading; reject each bad one alone, naming its fields."""
    now = now or datetime.now(UTC)
    skew = timedelta(seconds=future_skew_s)
    bridges = {only_bridge.code: only_bridge} if only_bridge else {}
    codes = {c for i in items if isinstance(i, dict) and isinstance(c := i.get("weighbridge_code"), str)}
    bridges.update(load_bridges(c for c in codes - bridges.keys() if len(c) <= 32 and text_problem(c) is None))
    settings = rule_settings()
    out = BatchResult(results=[None] * len(items))  # type: ignore[list-item]
    rows: dict[tuple[int, str], dict] = {}
    indexes: dict[tuple[int, str], list[int]] = {}
    for index, item in enumerate(items):
        row, errors = _prepare(item, bridges, only_bridge, now, skew, settings)
        if errors:
            out.results[index] = {"index": index, "status": "rejected", "errors": errors}
            out.rejected += 1
            continue
        key = (row["weighbridge_id"], row["record_id"])
        indexes.setdefault(key, []).append(index)
        rows.setdefault(key, row)
    if rows:
        _store(rows, indexes, out, now, source, settings)
    return out


def _prepare(item, bridges, only_bridge, now, skew, settings) -> tuple[dict | None, dict | None]:
    clean, errors = validate_loading(item, now, skew)
    code = item.get("weighbridge_code") if isinstance(item, dict) else None
    bridge = bridges.get(code) if isinstance(code, str) else None
    if isinstance(code, str) and code and "weighbridge_code" not in errors:
        if bridge is None:
            errors["weighbridge_code"] = [f"未知地磅编码：{code}"]
        elif only_bridge is not None and bridge.id != only_bridge.id:
            errors["weighbridge_code"] = ["地磅令牌只能上报本地磅的记录"]
    if errors:
        return None, errors
    facts = ReadingFacts(
        captured_at=clean["weighed_at"],
        axle_count=clean["axle_count"],
        gross_weight_kg=clean["gross_weight_kg"],
        vehicle_type=clean["vehicle_type"],
    )
    site = static_facts(bridge)
    try:
        d = classify(facts, site, settings, decided_on=now.astimezone(CST).date())
    except NoRuleInForce as exc:
        return None, {"weighed_at": [str(exc)]}
    row = {k: v for k, v in clean.items() if k != "weighbridge_code"}
    row.update(
        weighbridge_id=bridge.id,
        enterprise_id=bridge.enterprise_id,
        received_at=now,
        limit_kg=d.limit_kg,
        overlimit_kg=d.overlimit_kg,
        overlimit_pct=d.overlimit_pct,
        overlimit=d.mass_overlimit,
        baidunwang=d.baidunwang,
        rule_id=d.rule_id,
        rule_article=d.article,
        rule_version=d.rule_version,
    )
    row["_bridge"], row["_tolerance_kg"] = bridge, d.tolerance_kg
    return row, None


def static_facts(bridge: BridgeInfo) -> SiteFacts:
    """An exit weighbridge judged as a static scale (62号令 Art 3), with its verification date."""
    return SiteFacts(kind="static", accuracy_class=bridge.accuracy_class, calibrated_until=bridge.calibrated_until)


def _store(rows: dict, indexes: dict, out: BatchResult, now: datetime, source: str, settings) -> None:
    params = list(rows.values())
    for p in params:
        p["source"] = source
    new_ids = insert_loadings(params)
    dupes = _existing([k for k in rows if k not in new_ids])
    for _ in range(3):  # a conflicting row whose own transaction rolled back: insert it again
        lost = [p for k, p in rows.items() if k not in new_ids and k not in dupes]
        if not lost:
            break
        new_ids.update(insert_loadings(lost))
        dupes.update(_existing([k for k in rows if k not in new_ids and k not in dupes]))
    case_ids = open_source_cases([(new_ids[k], rows[k]) for k in rows if k in new_ids], now, settings)
    for key, row in rows.items():
        first, *repeats = indexes[key]
        if key in new_ids:
            result = _result(first, new_ids[key], row, case_ids.get(new_ids[key]))
            out.accepted += 1
        else:
            result = dict(dupes[key], index=first)
            out.duplicates += 1
        out.results[first] = result
        for index in repeats:
            out.results[index] = dict(result, index=index, status="duplicate")
            out.duplicates += 1


def _kg(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _result(index: int, loading_id: int, row: dict, case_id: int | None) -> dict:
    return {
        "index": index,
        "status": "accepted",
        "loading_id": loading_id,
        "limit_kg": row["limit_kg"],
        "overlimit_kg": _kg(row["overlimit_kg"]),
        "overlimit": row["overlimit"],
        "source_case_id": case_id,
    }


def _existing(keys: list[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    """The stored loading of each key, shaped like an accepted result (one query per weighbridge)."""
    by_bridge: dict[int, list[str]] = {}
    for bridge_id, record_id in keys:
        by_bridge.setdefault(bridge_id, []).append(record_id)
    found: dict[tuple[int, str], dict] = {}
    for bridge_id, record_ids in by_bridge.items():
        for start in range(0, len(record_ids), 500):
            stmt = (
                select(Loading, Case.id)
                .outerjoin(Case, Case.loading_id == Loading.id)
                .where(Loading.weighbridge_id == bridge_id, Loading.record_id.in_(record_ids[start : start + 500]))
            )
            for loading, case_id in db.session.execute(stmt):
                found[(bridge_id, loading.record_id)] = duplicate_result(loading, case_id)
    return found


def duplicate_result(loading: Loading, case_id: int | None) -> dict:
    return {
        "status": "duplicate",
        "loading_id": loading.id,
        "limit_kg": loading.limit_kg,
        "overlimit_kg": _kg(loading.overlimit_kg),
        "overlimit": loading.overlimit,
        "source_case_id": case_id,
    }


def _excess(row: dict) -> dict:
    excess, pct = deducted_excess(row["gross_weight_kg"], row["limit_kg"], row["_tolerance_kg"])
    return {"excess_kg": excess, "excess_pct": pct}


def open_source_cases(new: list[tuple[int, dict]], now: datetime, settings) -> dict[int, int]:
    """A source case for every new over-limit loading, against its enterprise, with the loading
    as its evidence and the matter domain-rules §7.3 gives (service/rules/source_loading.py)."""
    over = [(loading_id, row) for loading_id, row in new if row["overlimit"]]
    if not over:
        return {}
    names = dict(
        db.session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_({r["enterprise_id"] for _, r in over}))
        ).all()
    )
    plan = plan_source_case(now.astimezone(CST).date(), settings)
    cases = []
    for loading_id, row in over:
        bars = penalty_bars(row["weighed_at"], static_facts(row["_bridge"]), now, settings=settings)
        cases.append(
            {
                "loading_id": loading_id,
                "status": "matters_open",  # no review of a roadside weighing: the loading is the act
                "plate": None,  # the truck's own record is not this case (its repeat counts stay its own)
                "captured_at": row["weighed_at"],
                "opened_at": now,
                "decide_by": now + timedelta(days=90),
                "penalty_usable": not bars,
                "penalty_bars": [asdict(b) for b in bars] or None,
                "gross_weight_kg": row["gross_weight_kg"],
                "limit_kg": row["limit_kg"],
                "tolerance_kg": row["_tolerance_kg"],
                **_excess(row),
                "baidunwang": row["baidunwang"],
                "rule_id": row["rule_id"],
                "rule_article": row["rule_article"],
                "rule_version": row["rule_version"],
                "version": 1,
            }
        )
    stmt = insert_for(Case.__table__).returning(Case.__table__.c.id, Case.__table__.c.loading_id)
    case_ids = {r.loading_id: r.id for r in db.session.connection().execute(stmt, cases)}
    matters = [
        {
            "case_id": case_ids[loading_id],
            "party": "source_enterprise",
            "enterprise_id": row["enterprise_id"],
            "party_name": names.get(row["enterprise_id"]),
            "authority": plan.authority,
            "basis": plan.basis(),
            "status": "pending",
            "opened_at": now,
            "due_on": plan.due_on,
        }
        for loading_id, row in over
    ]
    db.session.connection().execute(insert_for(PartyMatter.__table__), matters)
    return case_ids
