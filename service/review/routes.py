"""Enforcement officers and supervisors: the case queue and each step of a case's procedure.

Every step sends `If-Match` with the ETag from `GET /cases/<id>`; an edit based on an older
version is refused with 412, so two officers cannot silently overwrite each other. Each
route below is one step of the table in service/procedure/steps.py; `GET /cases/<id>` lists
the steps the caller may take now. The steps on the vehicle owner's matter are reachable
here by the case; every matter's own steps are in service/review/matter_routes.py.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, Page, abort
from sqlalchemy import func, select

from models import Case, User
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.procedure import run_step
from service.review.queries import case_detail, case_query, deadline_list, rows_view
from service.review.schemas import (
    AssignSchema,
    CaseDetailSchema,
    CaseQueryArgsSchema,
    CaseSchema,
    ConfigurationSchema,
    ConfirmSchema,
    DecisionCreateSchema,
    DriverRecordSchema,
    HearingSchema,
    NoticeIssuedSchema,
    OptionalReasonSchema,
    PartiesSchema,
    PaymentSchema,
    PlateEntrySchema,
    ReasonSchema,
    ServiceSchema,
    StatementCreateSchema,
    StatementReviewSchema,
    StationActionSchema,
)

blp = Blueprint("review", __name__, description="案件审核与办理程序")
protect(blp, roles=("admin", "supervisor", "officer"))

STEP_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": True,
            "schema": {"type": "string", "pattern": '^"[0-9]{1,18}"$'},
            "description": 'GET 返回的 ETag，如 "3"；缺少或为 * 时 428，与案件当前版本不符（弱 ETag、不是版本号）时 412',
        }
    ]
}
REFUSALS = (
    (403, "无权操作"),
    (409, "当前状态或法定条件不允许"),
    (412, "案件已被他人修改"),
    (422, "数据不合法"),
    (428, "缺少 If-Match"),
)


class SQLCursorPage(Page):
    @property
    def item_count(self):
        return db.session.scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))

    @property
    def items(self):  # the page of rows, one query (+ the grouped 屡犯 queries for the page)
        p = self.page_params
        return rows_view(
            db.session.execute(self.collection.offset((p.page - 1) * p.page_size).limit(p.page_size)).all()
        )


def actor() -> User:
    return db.session.get(User, current_principal().user_id)


def load_case(case_id: int, lock: bool = False) -> Case:
    """The case, if the caller's jurisdiction covers it (another agency's case is not found)."""
    from service.review.jurisdiction import may_see

    stmt = select(Case).where(Case.id == case_id)
    if lock:
        stmt = stmt.with_for_update()  # two concurrent edits: the second waits, then sees the new version
    case = db.session.scalar(stmt)
    if case is None or not may_see(actor(), case):
        abort(404, message="案件不存在")
    return case


def if_match() -> int | None:
    """The version the client last saw, from If-Match: "<version>"; None when absent (428).

    RFC 9110 §13.1.1: `*` is true of any existing case, so it names no version and cannot stop
    a lost update; a step needs the version (RFC 6585 §3), so `*` answers 428 like an absent
    header, saying why. If-Match compares strongly: a weak tag (W/"3"), `""`, several tags or
    a tag that is no version number match no version of the case: 412."""
    header = request.if_match
    if not header:
        return None
    if header.star_tag:
        abort(428, message='If-Match: * 不指明案件版本，不能防止覆盖他人的修改；请提交 GET 返回的 ETag（如 "3"）')
    tags = header.as_set()  # the strong tags: a weak one never matches
    weak = len(header.as_set(include_weak=True)) > len(tags)
    tag = next(iter(tags)) if len(tags) == 1 and not weak else None
    if not tag or not (tag.isascii() and tag.isdigit()) or len(tag) > 18:
        abort(412, message="If-Match 无效，请重新获取案件")
    return int(tag)


def detail_response(case: Case, status: int = 200):
    return case_detail(case, actor()), status, {"ETag": f'"{case.version}"'}


def take(case_id: int, step: str, body: dict | None = None, matter_id: int | None = None):
    """Run one step of the table on the case (or one of its matters) and commit it."""
    case = load_case(case_id, lock=True)
    matter = None
    if matter_id is not None:
        matter = next((m for m in case.matters if m.id == matter_id), None)
        if matter is None:
            abort(404, message="当事人事项不存在")
    effect = run_step(step, case, actor(), body, matter=matter, expected_version=if_match())
    db.session.commit()
    return case, effect


def step_response(case_id: int, step: str, body: dict | None = None):
    case, _ = take(case_id, step, body)
    return detail_response(case)


def documented(view):
    """The If-Match header and the refusals every step answers with, in the OpenAPI spec."""
    view = blp.doc(**STEP_DOC)(view)
    for code, text in REFUSALS:
        view = blp.alt_response(code, description=text)(view)
    return view


@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(CaseQueryArgsSchema, location="query")
    @blp.response(200, CaseSchema(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, args):
        """The review queue: 百吨王 first, then by over-limit %."""
        return case_query(args, user_id=current_principal().user_id, viewer=actor())


@blp.route("/cases/deadlines")
class CaseDeadlines(MethodView):
    @blp.response(200, CaseSchema(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """Open cases with a deadline that is overdue or due within 3 days, most urgent first."""
        return deadline_list(actor())


@blp.route("/cases/<int:case_id>")
class CaseById(MethodView):
    @blp.response(200, CaseDetailSchema)
    @blp.alt_response(404, description="案件不存在")
    def get(self, case_id: int):
        """One case: figures, rule, deadlines, its party matters and the steps you may take now. ETag = version."""
        return detail_response(load_case(case_id))


@blp.route("/cases/<int:case_id>/parties")
@blp.response(200, PartiesSchema)
@blp.alt_response(404, description="案件不存在")
def case_parties(case_id: int):
    """The case's party matters (一超四罚): party, authority, basis, state and next due date."""
    from service.review.queries import matter_view

    return {"parties": [matter_view(m) for m in load_case(case_id).matters]}


# ── the case's own steps ──────────────────────────────────────────────────────


@blp.route("/cases/<int:case_id>/confirm", methods=["POST"])
@blp.arguments(ConfirmSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_confirm(body, case_id: int):
    """Review done: tick the checklist and confirm the case (the owner's matter opens)."""
    return step_response(case_id, "confirm", body)


@blp.route("/cases/<int:case_id>/dismissal", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_request_dismissal(body, case_id: int):
    """Ask to dismiss the case (a reason is required)."""
    return step_response(case_id, "dismissal", body)


@blp.route("/cases/<int:case_id>/dismissal/approve", methods=["POST"])
@blp.response(200, CaseDetailSchema)
@documented
def case_approve_dismissal(case_id: int):
    """Supervisor approves someone else's dismissal request; every open matter is withdrawn."""
    return step_response(case_id, "approve_dismissal")


@blp.route("/cases/<int:case_id>/dismissal/reject", methods=["POST"])
@blp.arguments(OptionalReasonSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_reject_dismissal(body, case_id: int):
    """Supervisor rejects a dismissal request."""
    return step_response(case_id, "reject_dismissal", body)


@blp.route("/cases/<int:case_id>/assign", methods=["POST"])
@blp.arguments(AssignSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_assign(body, case_id: int):
    """Supervisor assigns the case to an officer."""
    return step_response(case_id, "assign", body)


@blp.route("/cases/<int:case_id>/driver", methods=["POST"])
@blp.arguments(DriverRecordSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_record_driver(body, case_id: int):
    """Record the driver (驾驶人) of the case: a registered driver, or the numbers on the driver's papers."""
    return step_response(case_id, "driver", body)


@blp.route("/cases/<int:case_id>/plate", methods=["POST"])
@blp.arguments(PlateEntrySchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_record_plate(body, case_id: int):
    """Enter a plate the camera did not read (未识别), from the images, with the reason; audited."""
    return step_response(case_id, "plate", body)


@blp.route("/cases/<int:case_id>/configuration", methods=["POST"])
@blp.arguments(ConfigurationSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_record_configuration(body, case_id: int):
    """Record the configuration facts that change the limit (air suspension, articulated, axle spacing, type); the case is re-classified, audited."""
    return step_response(case_id, "configuration", body)


@blp.route("/cases/<int:case_id>/station-actions", methods=["POST"])
@blp.arguments(StationActionSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_record_station_action(body, case_id: int):
    """Record unloading, transfer or turning back."""
    return step_response(case_id, "station_action", body)


@blp.route("/cases/<int:case_id>/referral", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_refer_to_police(body, case_id: int):
    """Hand the case to the police (移交公安) with a reason: the driver's matter, tracked here."""
    return step_response(case_id, "refer_police", body)


# ── the vehicle owner's matter, by its case ──────────────────────────────────


@blp.route("/cases/<int:case_id>/notice", methods=["POST"])
@blp.response(201, NoticeIssuedSchema)
@documented
def case_issue_notice(case_id: int):
    """Issue the owner's notice (告知书); returns the party's access code once."""
    case, effect = take(case_id, "notice")
    return notice_issued(case, case.lead_matter, effect.result)


def notice_issued(case, matter, code: str):
    body = {
        "case_id": case.id,
        "matter_id": matter.id,
        "notice_number": matter.notice_number,
        "party_code": code,
        "statement_due": matter.statement_due,
        "hearing_request_due": matter.hearing_request_due,
        "version": case.version,
    }
    return body, 201, {"ETag": f'"{case.version}"'}


@blp.route("/cases/<int:case_id>/statements", methods=["POST"])
@blp.arguments(StatementCreateSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_add_statement(body, case_id: int):
    """Record what the owner said (陈述申辩), a hearing request or a waiver."""
    return step_response(case_id, "statement", {**body, "channel": "officer"})


@blp.route("/cases/<int:case_id>/statement-review", methods=["POST"])
@blp.arguments(StatementReviewSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_review_statement(body, case_id: int):
    """Review (复核) one of the owner's statements: the outcome and its reasons (行政处罚法 第四十五条)."""
    return step_response(case_id, "review_statement", body)


@blp.route("/cases/<int:case_id>/hearing", methods=["POST"])
@blp.arguments(HearingSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_record_hearing(body, case_id: int):
    """Record the hearing (听证) held."""
    return step_response(case_id, "hearing", body)


@blp.route("/cases/<int:case_id>/decision", methods=["POST"])
@blp.arguments(DecisionCreateSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_propose_decision(body, case_id: int):
    """Propose the owner's decision: a fine within the legal band, or a warning."""
    return step_response(case_id, "decision", body)


@blp.route("/cases/<int:case_id>/decision/approve", methods=["POST"])
@blp.response(200, CaseDetailSchema)
@documented
def case_approve_decision(case_id: int):
    """Supervisor approves someone else's proposed decision."""
    return step_response(case_id, "approve_decision")


@blp.route("/cases/<int:case_id>/decision/reject", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_reject_decision(body, case_id: int):
    """Supervisor sends a proposed decision back."""
    return step_response(case_id, "reject_decision", body)


@blp.route("/cases/<int:case_id>/service", methods=["POST"])
@blp.arguments(ServiceSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_serve(body, case_id: int):
    """Record how and when the decision was served (送达)."""
    return step_response(case_id, "service", body)


@blp.route("/cases/<int:case_id>/payment", methods=["POST"])
@blp.arguments(PaymentSchema)
@blp.response(200, CaseDetailSchema)
@documented
def case_record_payment(body, case_id: int):
    """Record the payment; late fees (加处罚款) are computed."""
    return step_response(case_id, "payment", body)


@blp.route("/cases/<int:case_id>/close", methods=["POST"])
@blp.response(200, CaseDetailSchema)
@documented
def case_close(case_id: int):
    """Close the owner's matter (结案); the case closes when every matter has."""
    return step_response(case_id, "close")


@blp.route("/evidence/<int:evidence_id>/<any(original, thumb, watermarked):variant>")
@blp.doc(responses={"200": {"description": "图像文件", "content": {"image/jpeg": {}, "image/png": {}}}})
@blp.alt_response(404, description="图像不存在或尚未生成")
def evidence_file(evidence_id: int, variant: str):
    """An evidence image: the original bytes untouched, its thumbnail or the watermarked copy."""
    from service.evidence.serving import send_evidence

    return send_evidence(evidence_id, variant)
