"""Party matters: each party's procedure moves off the case; the case stores its effective weighing; the audit chain is sealed at commit

Every case that was reviewed gets its vehicle owner's matter, holding the procedure that
was on the case (notice, statements, hearing, decision, service, payment, closure), with the
same values. Each case stores the weighing it stands on (the station re-weigh when one was
linked and used) with the excess and rate after the measurement deduction. Audit events get
their place in the chain (`seq`, = id for every existing event, whose chain followed ids).

Revision ID: 5d2e8a1c4b7f
Revises: 8b663364eb5e
Create Date: 2026-11-26 08:30:00.000000

"""

from decimal import ROUND_DOWN, Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d2e8a1c4b7f"
down_revision = "8b663364eb5e"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True)

# The procedure columns that move from cases to the vehicle owner's matter (same names).
MOVED = {
    "notice_number": sa.String(32),
    "notice_issued_at": TS,
    "notice_issued_by_id": sa.Integer(),
    "party_code_hash": sa.String(64),
    "statement_due": sa.Date(),
    "hearing_request_due": sa.Date(),
    "hearing_requested_at": TS,
    "hearing_held_at": TS,
    "hearing_record": sa.Text(),
    "notified_penalty": JSON,
    "decision_kind": sa.String(16),
    "decision_amount_yuan": sa.Integer(),
    "decision_basis": JSON,
    "decision_reason": sa.Text(),
    "decision_proposed_by_id": sa.Integer(),
    "decision_proposed_at": TS,
    "decided_by_id": sa.Integer(),
    "decided_at": TS,
    "decision_number": sa.String(32),
    "repeat_at_decision": JSON,
    "service_due": sa.Date(),
    "service_method": sa.String(16),
    "served_at": TS,
    "payment_due": sa.Date(),
    "paid_at": TS,
    "paid_amount_yuan": sa.Integer(),
    "late_fee_yuan": sa.Integer(),
    "closed_by_id": sa.Integer(),
}
USER_FKS = ("notice_issued_by_id", "decision_proposed_by_id", "decided_by_id", "closed_by_id")
# The case's status → its owner's matter's (a case awaiting dismissal keeps the status it came from).
MATTER_STATUS = {
    "confirmed": "pending",
    "notice_issued": "notice_issued",
    "hearing_requested": "hearing_requested",
    "decision_proposed": "decision_proposed",
    "decided": "decided",
    "served": "served",
    "executed": "executed",
    "closed": "closed",
    "dismissed": "withdrawn",
    "merged": "withdrawn",
}
VEHICLE_BASIS = {
    "rule_id": "F-MASS / F-DIM",
    "article": "《超限运输车辆行驶公路管理规定》(交通运输部令2016年第62号) 第四十三条；《公路安全保护条例》第六十四条",
    "text": "违法超限运输，由车辆所有人（经营者）承担行政处罚",
}
WEIGHING = ("gross_weight_kg", "limit_kg", "tolerance_kg", "rule_id", "rule_article", "rule_version", "baidunwang")


def upgrade():
    _create_matters()
    with op.batch_alter_table("case_statements") as batch:
        batch.add_column(sa.Column("matter_id", BigId, nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("weighing_reading_id", BigId, nullable=True))
        batch.add_column(sa.Column("gross_weight_kg", sa.Float(), nullable=True))
        batch.add_column(sa.Column("limit_kg", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tolerance_kg", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("excess_kg", sa.Float(), nullable=True))
        batch.add_column(sa.Column("excess_pct", sa.Float(), nullable=True))
        batch.add_column(sa.Column("rule_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("rule_article", sa.String(255), nullable=True))
        batch.add_column(sa.Column("rule_version", sa.String(64), nullable=True))
    bind = op.get_bind()
    _store_weighings(bind)
    _move_procedures(bind)
    with op.batch_alter_table("case_statements") as batch:
        batch.alter_column("matter_id", existing_type=BigId, nullable=False)
        batch.create_index(batch.f("ix_case_statements_matter_id"), ["matter_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_case_statements_matter_id_party_matters"), "party_matters", ["matter_id"], ["id"]
        )
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_queue")
        batch.drop_constraint("uq_cases_notice_number", type_="unique")
        batch.drop_constraint("uq_cases_decision_number", type_="unique")
        for column in USER_FKS:
            batch.drop_constraint(f"fk_cases_{column}_users", type_="foreignkey")
        for column in (*MOVED, "overlimit_pct"):
            batch.drop_column(column)
        for column, kind in (("weighing_reading_id", BigId), ("gross_weight_kg", sa.Float()), ("limit_kg", sa.Integer()),
                             ("tolerance_kg", sa.Integer()), ("excess_kg", sa.Float()), ("excess_pct", sa.Float()),
                             ("rule_id", sa.String(32)), ("rule_article", sa.String(255)),
                             ("rule_version", sa.String(64))):  # fmt: skip
            batch.alter_column(column, existing_type=kind, nullable=False)
        batch.create_foreign_key(
            batch.f("fk_cases_weighing_reading_id_readings"), "readings", ["weighing_reading_id"], ["id"]
        )
        batch.create_index("ix_cases_queue", ["status", "baidunwang", "excess_pct"], unique=False)
    _seal_audit()


def _create_matters():
    op.create_table(
        "party_matters",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("party", sa.String(24), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("party_name", sa.String(128), nullable=True),
        sa.Column("authority", sa.String(24), nullable=False),
        sa.Column("basis", JSON, nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        *(sa.Column(name, kind, nullable=True) for name, kind in MOVED.items()),
        sa.Column("referred_at", TS, nullable=True),
        sa.Column("referred_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("outcome", JSON, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_party_matters_case_id_cases")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name=op.f("fk_party_matters_vehicle_id_vehicles")),
        sa.ForeignKeyConstraint(["driver_id"], ["drivers.id"], name=op.f("fk_party_matters_driver_id_drivers")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_party_matters_enterprise_id_enterprises")
        ),
        *(
            sa.ForeignKeyConstraint([c], ["users.id"], name=op.f(f"fk_party_matters_{c}_users"))
            for c in (*USER_FKS, "referred_by_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_matters")),
        sa.UniqueConstraint("notice_number", name=op.f("uq_party_matters_notice_number")),
        sa.UniqueConstraint("decision_number", name=op.f("uq_party_matters_decision_number")),
    )
    with op.batch_alter_table("party_matters") as batch:
        batch.create_index(batch.f("ix_party_matters_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_party_matters_enterprise_id"), ["enterprise_id"], unique=False)
        batch.create_index(batch.f("ix_party_matters_party_code_hash"), ["party_code_hash"], unique=False)


def _deducted(gross: float, limit: int, tolerance: int) -> tuple[float, float]:
    """Excess and rate after the deduction, as service/rules/classify.py `deducted_excess`
    computed them on the day of this migration (rate truncated to 2 dp, never rounded up)."""
    effective = Decimal(str(gross)) - tolerance
    if effective <= limit:
        return 0, 0.0
    excess = effective - limit
    rate = (excess / limit * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return (int(excess) if excess == excess.to_integral_value() else float(excess)), float(rate)


def _store_weighings(bind) -> None:
    """Each case's effective weighing. Where a re-weigh was linked, the follow-up job had
    already chosen between the two readings and stored that one's rate on the case
    (`overlimit_pct`): the reading whose rate it stored is the one the case stood on."""
    cases = sa.table("cases", sa.column("id"), sa.column("reading_id"), sa.column("reweigh_reading_id"),
                     sa.column("overlimit_pct"), sa.column("weighing_reading_id"),
                     *(sa.column(c) for c in (*WEIGHING, "excess_kg", "excess_pct")))  # fmt: skip
    readings = sa.table("readings", sa.column("id"), sa.column("overlimit_pct"), *(sa.column(c) for c in WEIGHING))
    rows = bind.execute(sa.select(cases.c.id, cases.c.reading_id, cases.c.reweigh_reading_id, cases.c.overlimit_pct))
    chosen: dict[int, int] = {}
    for case_id, reading_id, reweigh_id, pct in rows:
        chosen[case_id] = reading_id
        if reweigh_id is not None:
            pcts = dict(bind.execute(sa.select(readings.c.id, readings.c.overlimit_pct).where(
                readings.c.id.in_((reading_id, reweigh_id)))).all())  # fmt: skip
            wim_chosen = pcts[reading_id] == pct and pcts[reweigh_id] != pct
            chosen[case_id] = reading_id if wim_chosen else reweigh_id
    ids = sorted(set(chosen.values()))
    figures = {}
    for start in range(0, len(ids), 500):
        stmt = sa.select(readings.c.id, *(readings.c[c] for c in WEIGHING)).where(
            readings.c.id.in_(ids[start : start + 500])
        )
        figures.update({r.id: r for r in bind.execute(stmt)})
    params = []
    for case_id, reading_id in chosen.items():
        r = figures[reading_id]
        excess_kg, excess_pct = _deducted(r.gross_weight_kg, r.limit_kg, r.tolerance_kg)
        params.append({"_id": case_id, "weighing_reading_id": reading_id, "excess_kg": excess_kg,
                       "excess_pct": excess_pct, **{c: getattr(r, c) for c in WEIGHING}})  # fmt: skip
    update = cases.update().where(cases.c.id == sa.bindparam("_id"))
    for start in range(0, len(params), 1000):
        bind.execute(update, params[start : start + 1000])


def _move_procedures(bind) -> None:
    """Every reviewed case's procedure becomes its vehicle owner's matter, values unchanged."""
    cases = sa.table("cases", sa.column("id"), sa.column("status"), sa.column("dismissal_from_status"),
                     sa.column("reviewed_at"), sa.column("dismissed_at"), sa.column("closed_at"),
                     sa.column("plate"), sa.column("vehicle_id"), sa.column("enterprise_id"),
                     *(sa.column(c) for c in MOVED))  # fmt: skip
    vehicles = sa.table("vehicles", sa.column("id"), sa.column("owner_name"))
    enterprises = sa.table("enterprises", sa.column("id"), sa.column("name"))
    matters = sa.table("party_matters", sa.column("case_id"), sa.column("party"), sa.column("vehicle_id"),
                       sa.column("party_name"), sa.column("authority"), sa.column("basis", JSON),
                       sa.column("status"), sa.column("opened_at"), sa.column("closed_at"), sa.column("id"),
                       *(sa.column(c) for c in MOVED))  # fmt: skip
    owner = sa.func.coalesce(
        sa.select(vehicles.c.owner_name).where(vehicles.c.id == cases.c.vehicle_id).scalar_subquery(),
        sa.select(enterprises.c.name).where(enterprises.c.id == cases.c.enterprise_id).scalar_subquery(),
        sa.literal("车辆所有人（号牌 ") + sa.func.coalesce(cases.c.plate, "未识别") + sa.literal("）"),
    )
    position = sa.case(
        (cases.c.status == "dismissal_requested", cases.c.dismissal_from_status), else_=cases.c.status
    )
    status = sa.case(*((position == k, v) for k, v in MATTER_STATUS.items()), else_="pending")
    closed_at = sa.case((cases.c.status.in_(("dismissed", "merged")), cases.c.dismissed_at), else_=cases.c.closed_at)
    select = sa.select(
        cases.c.id, sa.literal("vehicle"), cases.c.vehicle_id, owner, sa.literal("agency"), status,
        cases.c.reviewed_at, closed_at, *(cases.c[c] for c in MOVED),
    ).where(cases.c.reviewed_at.is_not(None))  # fmt: skip
    columns = ["case_id", "party", "vehicle_id", "party_name", "authority", "status", "opened_at", "closed_at",
               *MOVED]  # fmt: skip
    bind.execute(matters.insert().from_select(columns, select))
    bind.execute(matters.update().values(basis=VEHICLE_BASIS))
    statements = sa.table("case_statements", sa.column("case_id"), sa.column("matter_id"))
    bind.execute(
        statements.update().values(
            matter_id=sa.select(matters.c.id)
            .where(matters.c.case_id == statements.c.case_id, matters.c.party == "vehicle")
            .scalar_subquery()
        )
    )


def _seal_audit():
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("seq", BigId, nullable=True))
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=True)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=True)
    op.execute("UPDATE audit_events SET seq = id")
    with op.batch_alter_table("audit_events") as batch:
        batch.create_unique_constraint(batch.f("uq_audit_events_seq"), ["seq"])
        batch.create_index("ix_audit_events_object", ["object_type", "object_id", "id"], unique=False)
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("last_seq", BigId, nullable=True))
    op.execute("UPDATE audit_head SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_events)")
    with op.batch_alter_table("audit_head") as batch:
        batch.alter_column("last_seq", existing_type=BigId, nullable=False)


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("last_seq")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_index("ix_audit_events_object")
        batch.drop_constraint(batch.f("uq_audit_events_seq"), type_="unique")
        batch.drop_column("seq")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_queue")
        batch.drop_constraint("fk_cases_weighing_reading_id_readings", type_="foreignkey")
        batch.add_column(sa.Column("overlimit_pct", sa.Float(), nullable=True))
        for name, kind in MOVED.items():
            batch.add_column(sa.Column(name, kind, nullable=True))
    cases = sa.table("cases", sa.column("id"), sa.column("overlimit_pct"), sa.column("weighing_reading_id"),
                     *(sa.column(c) for c in MOVED))  # fmt: skip
    readings = sa.table("readings", sa.column("id"), sa.column("overlimit_pct"))
    matters = sa.table("party_matters", sa.column("case_id"), sa.column("party"), *(sa.column(c) for c in MOVED))
    lead = (matters.c.case_id == cases.c.id) & (matters.c.party == "vehicle")
    bind.execute(cases.update().values(
        overlimit_pct=sa.select(readings.c.overlimit_pct).where(readings.c.id == cases.c.weighing_reading_id)
        .scalar_subquery(),
        **{c: sa.select(matters.c[c]).where(lead).scalar_subquery() for c in MOVED},
    ))  # fmt: skip
    with op.batch_alter_table("cases") as batch:
        for column in ("weighing_reading_id", "gross_weight_kg", "limit_kg", "tolerance_kg", "excess_kg",
                       "excess_pct", "rule_id", "rule_article", "rule_version"):  # fmt: skip
            batch.drop_column(column)
        batch.alter_column("overlimit_pct", existing_type=sa.Float(), nullable=False)
        batch.create_unique_constraint("uq_cases_notice_number", ["notice_number"])
        batch.create_unique_constraint("uq_cases_decision_number", ["decision_number"])
        for column in USER_FKS:
            batch.create_foreign_key(f"fk_cases_{column}_users", "users", [column], ["id"])
        batch.create_index("ix_cases_queue", ["status", "baidunwang", "overlimit_pct"], unique=False)
    with op.batch_alter_table("case_statements") as batch:
        batch.drop_constraint(batch.f("fk_case_statements_matter_id_party_matters"), type_="foreignkey")
        batch.drop_index(batch.f("ix_case_statements_matter_id"))
        batch.drop_column("matter_id")
    op.drop_table("party_matters")
