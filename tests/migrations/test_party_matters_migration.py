"""The party-matters migration (5d2e8a1c4b7f) moves every existing case into the new shape
with nothing lost: a database filled at the previous head with the demo data as the old code
stored it (tests/migrations/fixtures, see test_fixture_io.py), upgraded, then compared —
every case's figures, decisions, statements, payments and the audit chain — and
`audit verify` passes, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest
from sqlalchemy import MetaData, select

from tests.migrations import fixture_io
from tests.migrations.test_fixture_io import demo, old_head_db  # noqa: F401  (fixtures)

MOVED = (
    "notice_number", "notice_issued_at", "notice_issued_by_id", "party_code_hash", "statement_due",
    "hearing_request_due", "hearing_requested_at", "hearing_held_at", "hearing_record", "notified_penalty",
    "decision_kind", "decision_amount_yuan", "decision_basis", "decision_reason", "decision_proposed_by_id",
    "decision_proposed_at", "decided_by_id", "decided_at", "decision_number", "repeat_at_decision", "service_due",
    "service_method", "served_at", "payment_due", "paid_at", "paid_amount_yuan", "late_fee_yuan", "closed_by_id",
)  # fmt: skip
KEPT = (
    "id", "reading_id", "site_id", "plate", "captured_at", "opened_at", "decide_by", "baidunwang", "penalty_usable",
    "penalty_bars", "prior_case_count", "version", "vehicle_id", "enterprise_id", "driver_id", "permit_issue",
    "merged_into_id", "assigned_to_id", "reviewed_by_id", "reviewed_at", "review_checklist", "reweigh_reading_id",
    "dismissal_reason", "dismissal_requested_by_id", "dismissal_from_status", "dismissed_by_id", "dismissed_at",
    "closed_at", "status",
)  # fmt: skip
AUDIT = ("id", "at", "actor_user_id", "actor", "action", "object_type", "object_id", "from_state", "to_state",
         "reason", "data", "prev_hash", "hash")  # fmt: skip


@pytest.fixture
def upgraded(old_head_db, demo):  # noqa: F811  (the fixtures imported above)
    """(rows before, rows after, app) for the demo database upgraded from the old head."""
    from flask import current_app
    from flask_migrate import upgrade

    with old_head_db.begin() as conn:
        fixture_io.load(conn, demo)
    before = _rows(old_head_db)
    upgrade()
    return before, _rows(old_head_db), current_app._get_current_object()


def _rows(engine) -> dict[str, dict[int, dict]]:
    meta = MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name, table in meta.tables.items():
            if name == "alembic_version":
                continue
            key = table.c.id if "id" in table.c else list(table.primary_key.columns)[0]
            out[name] = {row["id"] if "id" in row else i: row for i, row in
                         enumerate(dict(r._mapping) for r in conn.execute(select(table).order_by(key)))}  # fmt: skip
    return out


def _deducted(gross, limit, tolerance):
    excess = Decimal(str(gross)) - tolerance - limit
    if excess <= 0:
        return 0.0, 0.0
    return float(excess), float((excess / limit * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def test_every_case_keeps_its_facts_and_its_procedure_moves_to_the_owners_matter(upgraded):
    before, after, _ = upgraded
    assert len(before["cases"]) == len(after["cases"]) > 1000
    matters = {m["case_id"]: m for m in after["party_matters"].values()}
    assert all(m["party"] == "vehicle" and m["authority"] == "agency" for m in matters.values())
    reviewed = 0
    for case_id, old in before["cases"].items():
        new = after["cases"][case_id]
        assert {k: new[k] for k in KEPT} == {k: old[k] for k in KEPT}, case_id
        if old["reviewed_at"] is None:
            assert case_id not in matters  # not reviewed: nobody answers yet
            continue
        reviewed += 1
        matter = matters[case_id]
        assert {k: matter[k] for k in MOVED} == {k: old[k] for k in MOVED}, case_id
        assert matter["opened_at"] == old["reviewed_at"]
        if old["status"] in ("dismissed", "merged"):
            assert matter["status"] == "withdrawn"
        elif old["status"] == "dismissal_requested":
            assert matter["status"] == {"confirmed": "pending"}.get(
                old["dismissal_from_status"], old["dismissal_from_status"]
            )
        else:
            assert matter["status"] == {"confirmed": "pending"}.get(old["status"], old["status"])
    decided = [m for m in matters.values() if m["decision_number"]]
    assert reviewed >= 4 and len(decided) == 4  # the demo's regular overloader, decided four times
    assert all(m["decision_amount_yuan"] is not None and m["repeat_at_decision"] for m in decided)


def test_every_case_stores_the_weighing_it_stands_on_with_the_excess_after_the_deduction(upgraded):
    before, after, _ = upgraded
    readings = after["readings"]
    for case_id, old in before["cases"].items():
        new = after["cases"][case_id]
        weighing = readings[new["weighing_reading_id"]]
        assert new["weighing_reading_id"] in (old["reading_id"], old["reweigh_reading_id"])
        assert weighing["overlimit_pct"] == old["overlimit_pct"]  # the reading whose rate the case had
        for name in ("gross_weight_kg", "limit_kg", "tolerance_kg", "rule_id", "rule_article", "rule_version"):
            assert new[name] == weighing[name], (case_id, name)
        excess, rate = _deducted(weighing["gross_weight_kg"], weighing["limit_kg"], weighing["tolerance_kg"])
        assert (new["excess_kg"], new["excess_pct"]) == (excess, rate), case_id


def test_statements_payments_and_the_audit_chain_are_unchanged(upgraded):
    before, after, app = upgraded
    matters = {m["case_id"]: m["id"] for m in after["party_matters"].values()}
    assert before["case_statements"]
    for statement_id, old in before["case_statements"].items():
        new = after["case_statements"][statement_id]
        assert {k: new[k] for k in old} == old
        assert new["matter_id"] == matters[old["case_id"]]
    assert len(after["audit_events"]) == len(before["audit_events"]) > 24
    for event_id, old in before["audit_events"].items():
        new = after["audit_events"][event_id]
        assert {k: new[k] for k in AUDIT} == {k: old[k] for k in AUDIT}
        assert new["seq"] == event_id  # the old chain followed ids
    # Every other table keeps its rows and their values; later migrations may add columns.
    for table in set(before) - {"cases", "case_statements", "audit_events", "audit_head"}:
        kept = {i: {k: row[k] for k in before[table].get(i, row)} for i, row in after[table].items()}
        assert kept == before[table], table
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
