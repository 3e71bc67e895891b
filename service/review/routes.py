"""Enforcement officers and supervisors: the case queue and the case procedure.

Every change to a case sends `If-Match` with the ETag from `GET /cases/<id>`; an
edit based on an older version is refused with 412, so two officers cannot
silently overwrite each other.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, Page, abort
from sqlalchemy import func, select

from models import Case, User
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.registry.repeat import repeat_flags
from service.review import procedure as proc
from service.review.operations import case_detail, case_query, case_view, deadline_query
from service.review.schemas import (
    AssignSchema,
    CaseDetailSchema,
    CaseQueryArgsSchema,
    CaseSchema,
    ConfirmSchema,
    DecisionCreateSchema,
    DriverRecordSchema,
    HearingSchema,
    NoticeIssuedSchema,
    OptionalReasonSchema,
    PaymentSchema,
    ReasonSchema,
    ServiceSchema,
    StatementCreateSchema,
    StationActionSchema,
)

blp = Blueprint("review", __name__, description="案件审核与办理程序")
protect(blp, roles=("admin", "supervisor", "officer"))


class SQLCursorPage(Page):
    @property
    def item_count(self):
        return db.session.scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))

    @property
    def items(self):  # the page of rows, one query (+ the grouped 屡犯 queries for the page)
        p = self.page_params
        rows = db.session.execute(self.collection.offset((p.page - 1) * p.page_size).limit(p.page_size)).all()
        flags = repeat_flags([c for c, _, _ in rows])
        return [{**case_view(c, r, code), "repeat_flags": flags[c.id]} for c, r, code in rows]


def _actor() -> User:
    return db.session.get(User, current_principal().user_id)


def _case(case_id: int, lock: bool = False) -> Case:
    stmt = select(Case).where(Case.id == case_id)
    if lock:
        stmt = stmt.with_for_update()  # two concurrent edits: the second waits, then sees the new version
    case = db.session.scalar(stmt)
    if case is None:
        abort(404, message="案件不存在")
    return case


def _if_match() -> int | None:
    """The version the client last saw, from If-Match: "<version>"."""
    tags = list(request.if_match.as_set()) if request.if_match else []
    if not tags:
        return None
    try:
        return int(tags[0])
    except ValueError:
        abort(412, message="If-Match 无效，请重新获取案件")


def _detail_response(case: Case, status: int = 200):
    return case_detail(case), status, {"ETag": f'"{case.version}"'}


def act(case_id: int, operation, *args, **kwargs):
    """Run one procedure step under the version check and commit it."""
    case = _case(case_id, lock=True)
    try:
        proc.check_version(case, _if_match())
        result = operation(case, _actor(), *args, **kwargs)
    except proc.ProcedureError as exc:
        db.session.rollback()
        abort(exc.status, message=exc.message, errors=exc.errors)
    db.session.commit()
    return result


@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(CaseQueryArgsSchema, location="query")
    @blp.response(200, CaseSchema(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, args):
        """The review queue: 百吨王 first, then by over-limit %."""
        return case_query(args, user_id=current_principal().user_id)


@blp.route("/cases/deadlines")
class CaseDeadlines(MethodView):
    @blp.response(200, CaseSchema(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self):
        """Open cases with a deadline that is overdue or due within 3 days, most urgent first."""
        return deadline_query()


@blp.route("/cases/<int:case_id>")
class CaseById(MethodView):
    @blp.response(200, CaseDetailSchema)
    @blp.alt_response(404, description="案件不存在")
    def get(self, case_id: int):
        """One case: figures, rule, deadlines, statements, the proposed penalty. ETag = version."""
        return _detail_response(_case(case_id))


def _step(path: str, schema, fn_name: str, summary: str, *, body_to_kwargs=lambda d: d):
    """Register POST /cases/<id>/<path> running procedure.<fn_name>."""

    def view(*args, case_id: int):
        data = args[0] if args else {}
        case = act(case_id, getattr(proc, fn_name), **body_to_kwargs(data))
        if isinstance(case, tuple):  # issue_notice also returns the party code
            case = case[0]
        if not isinstance(case, Case):
            case = _case(case_id)
        return _detail_response(case)

    view.__name__ = f"case_{fn_name}"
    view.__doc__ = summary
    decorated = blp.response(200, CaseDetailSchema)(view)
    if schema is not None:
        decorated = blp.arguments(schema)(decorated)
    decorated = blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "If-Match",
                "required": True,
                "schema": {"type": "string"},
                "description": "GET 返回的 ETag",
            }
        ]
    )(decorated)
    for code, text in ((409, "当前状态不允许"), (412, "案件已被他人修改"), (422, "数据不合法"), (403, "无权操作")):
        decorated = blp.alt_response(code, description=text)(decorated)
    blp.route(f"/cases/<int:case_id>/{path}", methods=["POST"], endpoint=f"case_{fn_name}")(decorated)


_step("confirm", ConfirmSchema, "confirm", "Review done: tick the checklist and confirm the case.")
_step("dismissal", ReasonSchema, "request_dismissal", "Ask to dismiss the case (a reason is required).")
_step("dismissal/approve", None, "approve_dismissal", "Supervisor approves someone else's dismissal request.")
_step("dismissal/reject", OptionalReasonSchema, "reject_dismissal", "Supervisor rejects a dismissal request.")
_step(
    "statements",
    StatementCreateSchema,
    "add_statement",
    "Record what the party said (陈述申辩), a hearing request or a waiver.",
    body_to_kwargs=lambda d: {**d, "channel": "officer"},
)
_step("hearing", HearingSchema, "record_hearing", "Record the hearing (听证) held.")
_step(
    "decision",
    DecisionCreateSchema,
    "propose_decision",
    "Propose the decision: a fine within the legal band, or a warning.",
)
_step("decision/approve", None, "approve_decision", "Supervisor approves someone else's proposed decision.")
_step("decision/reject", ReasonSchema, "reject_decision", "Supervisor sends a proposed decision back.")
_step("service", ServiceSchema, "serve", "Record how and when the decision was served (送达).")
_step("payment", PaymentSchema, "record_payment", "Record the payment; late fees (加处罚款) are computed.")
_step("close", None, "close", "Close the case (结案).")
_step(
    "driver",
    DriverRecordSchema,
    "record_driver",
    "Record the driver (驾驶人) of the case: a registered driver, or the numbers on the driver's papers.",
)
_step("station-actions", StationActionSchema, "record_station_action", "Record unloading, transfer or turning back.")


@blp.route("/cases/<int:case_id>/notice", methods=["POST"])
@blp.response(201, NoticeIssuedSchema)
@blp.alt_response(409, description="当前状态不允许")
@blp.alt_response(412, description="案件已被他人修改")
@blp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}])
def issue_notice(case_id: int):
    """Issue the notice (告知书); returns the party's access code once."""
    case, code = act(case_id, proc.issue_notice)
    return (
        {
            "case_id": case.id,
            "notice_number": case.notice_number,
            "party_code": code,
            "statement_due": case.statement_due,
            "hearing_request_due": case.hearing_request_due,
            "version": case.version,
        },
        201,
        {"ETag": f'"{case.version}"'},
    )


@blp.route("/cases/<int:case_id>/assign", methods=["POST"])
@blp.arguments(AssignSchema)
@blp.response(200, CaseDetailSchema)
def assign(data, case_id: int):
    """Supervisor assigns the case to an officer."""
    if current_principal().role not in ("supervisor", "admin"):
        abort(403, message="只有执法负责人可以分配案件")
    officer = db.session.get(User, data["user_id"])
    if officer is None or officer.role not in ("officer", "supervisor") or not officer.active:
        abort(422, message="只能分配给在岗的执法人员", errors={"user_id": ["无效"]})

    def _assign(case, actor):
        proc.assign(case, actor, officer)
        return case

    return _detail_response(act(case_id, _assign))


@blp.route("/evidence/<int:evidence_id>/<any(original, thumb, watermarked):variant>")
@blp.doc(responses={"200": {"description": "图像文件", "content": {"image/jpeg": {}, "image/png": {}}}})
@blp.alt_response(404, description="图像不存在或尚未生成")
def evidence_file(evidence_id: int, variant: str):
    """An evidence image: the original bytes untouched, its thumbnail or the watermarked copy."""
    from service.evidence.serving import send_evidence

    return send_evidence(evidence_id, variant)
