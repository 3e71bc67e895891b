"""Each party's matter (当事人事项) and its steps, by the matter's id.

A matter this agency handles runs the procedure (notice → statement → decision → service →
payment → close); one another authority handles is tracked (refer → ack → outcome). The
police see and act on the matters referred to them, and nothing else. Steps send `If-Match`
with the case's ETag (a matter is part of its case's version).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from models import PartyMatter
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.procedure import actions_for
from service.review.queries import matter_view
from service.review.routes import REFUSALS, STEP_DOC, actor, notice_issued, take
from service.review.schemas import (
    DecisionCreateSchema,
    HearingSchema,
    IdentifySchema,
    MatterDetailSchema,
    NoteSchema,
    NoticeIssuedSchema,
    OutcomeSchema,
    PaymentSchema,
    ReasonSchema,
    ServiceSchema,
    StatementCreateSchema,
    StatementReviewSchema,
)

blp = Blueprint("matters", __name__, description="当事人事项（一超四罚）及其办理")
protect(blp, roles=("admin", "supervisor", "officer", "police", "investigator"))
# What each outside role may see: the police what was referred to them, source investigators
# the enterprises' matters (their 倒查 and supervision work).
VISIBLE = {
    "police": lambda m: m.authority == "police",
    "investigator": lambda m: m.party in ("source_enterprise", "transport_enterprise", "instigator"),
}


def load_matter(matter_id: int) -> PartyMatter:
    """The matter, if this caller may see it."""
    from service.review.jurisdiction import may_see

    matter = db.session.get(PartyMatter, matter_id)
    visible = VISIBLE.get(current_principal().role)
    if matter is None or (visible is not None and not visible(matter)) or not may_see(actor(), matter.case):
        abort(404, message="当事人事项不存在")
    return matter


def matter_detail(matter: PartyMatter, status: int = 200):
    case = matter.case
    actions = [a for a in actions_for(case, actor()) if a["matter_id"] == matter.id]
    body = {
        **matter_view(matter),
        "case_number": case.case_number,
        "version": case.version,
        "actions": [a for a in actions if a["allowed"]],
        "barred_actions": [a for a in actions if not a["allowed"]],
    }
    return body, status, {"ETag": f'"{case.version}"'}


def matter_step(matter_id: int, step: str, body: dict | None = None):
    matter = load_matter(matter_id)
    _, effect = take(matter.case_id, step, body, matter_id=matter.id)
    return matter_detail(matter)


def documented(view):
    view = blp.doc(**STEP_DOC)(view)
    for code, text in REFUSALS:
        view = blp.alt_response(code, description=text)(view)
    return view


@blp.route("/matters/<int:matter_id>")
class MatterById(MethodView):
    @blp.response(200, MatterDetailSchema)
    @blp.alt_response(404, description="当事人事项不存在")
    def get(self, matter_id: int):
        """One party's matter, with the steps you may take now. ETag = the case's version."""
        return matter_detail(load_matter(matter_id))


@blp.route("/matters/<int:matter_id>/notice", methods=["POST"])
@blp.response(201, NoticeIssuedSchema)
@documented
def matter_issue_notice(matter_id: int):
    """Issue this party's notice (告知书); returns the party's access code once."""
    matter = load_matter(matter_id)
    case, effect = take(matter.case_id, "notice", matter_id=matter.id)
    return notice_issued(case, matter, effect.result)


@blp.route("/matters/<int:matter_id>/statements", methods=["POST"])
@blp.arguments(StatementCreateSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_add_statement(body, matter_id: int):
    """Record what this party said (陈述申辩), a hearing request or a waiver."""
    return matter_step(matter_id, "statement", {**body, "channel": "officer"})


@blp.route("/matters/<int:matter_id>/statement-review", methods=["POST"])
@blp.arguments(StatementReviewSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_review_statement(body, matter_id: int):
    """Review (复核) one of this party's statements: the outcome and its reasons."""
    return matter_step(matter_id, "review_statement", body)


@blp.route("/matters/<int:matter_id>/hearing", methods=["POST"])
@blp.arguments(HearingSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_record_hearing(body, matter_id: int):
    """Record the hearing (听证) held."""
    return matter_step(matter_id, "hearing", body)


@blp.route("/matters/<int:matter_id>/decision", methods=["POST"])
@blp.arguments(DecisionCreateSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_propose_decision(body, matter_id: int):
    """Propose this party's decision within the matter's lawful band."""
    return matter_step(matter_id, "decision", body)


@blp.route("/matters/<int:matter_id>/decision/approve", methods=["POST"])
@blp.response(200, MatterDetailSchema)
@documented
def matter_approve_decision(matter_id: int):
    """Supervisor approves someone else's proposed decision."""
    return matter_step(matter_id, "approve_decision")


@blp.route("/matters/<int:matter_id>/decision/reject", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_reject_decision(body, matter_id: int):
    """Supervisor sends a proposed decision back."""
    return matter_step(matter_id, "reject_decision", body)


@blp.route("/matters/<int:matter_id>/service", methods=["POST"])
@blp.arguments(ServiceSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_serve(body, matter_id: int):
    """Record how and when the decision was served (送达)."""
    return matter_step(matter_id, "service", body)


@blp.route("/matters/<int:matter_id>/payment", methods=["POST"])
@blp.arguments(PaymentSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_record_payment(body, matter_id: int):
    """Record the payment; late fees (加处罚款) are computed."""
    return matter_step(matter_id, "payment", body)


@blp.route("/matters/<int:matter_id>/close", methods=["POST"])
@blp.response(200, MatterDetailSchema)
@documented
def matter_close(matter_id: int):
    """Close this matter (结案); the case closes when every matter has."""
    return matter_step(matter_id, "close")


@blp.route("/matters/<int:matter_id>/refer", methods=["POST"])
@blp.arguments(NoteSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_refer(body, matter_id: int):
    """Send the matter to the authority that handles it (移送); its receipt falls due."""
    return matter_step(matter_id, "refer", body)


@blp.route("/matters/<int:matter_id>/ack", methods=["POST"])
@blp.arguments(NoteSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_acknowledge(body, matter_id: int):
    """The receiving authority acknowledges the matter (签收)."""
    return matter_step(matter_id, "acknowledge", body)


@blp.route("/matters/<int:matter_id>/outcome", methods=["POST"])
@blp.arguments(OutcomeSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_record_outcome(body, matter_id: int):
    """The receiving authority's decision (number, date, fine, points): the matter closes."""
    return matter_step(matter_id, "outcome", body)


@blp.route("/matters/<int:matter_id>/identify", methods=["POST"])
@blp.arguments(IdentifySchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_identify(body, matter_id: int):
    """Name the party a matter is about (查明当事人): a registered driver or enterprise."""
    return matter_step(matter_id, "identify", body)


@blp.route("/matters/<int:matter_id>/unidentifiable", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, MatterDetailSchema)
@documented
def matter_unidentifiable(body, matter_id: int):
    """Supervisor closes a matter whose party could not be found (无法查明), with the reason."""
    return matter_step(matter_id, "unidentifiable", body)


from service.review import instigator_routes  # noqa: E402, F401  (its route joins this blueprint)
