"""Tracing API (CONTRACT §7): a case's trace candidates, the investigator's decision, field
investigations and the trace queue. Registered on the sources blueprint (routes.py)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from models import Case, TraceTask, User
from service import clock
from service.auth.guard import current_principal
from service.extensions import db
from service.sources import trace_ops
from service.sources.routes import blp, require_role
from service.sources.schemas import (
    TraceConfirmSchema,
    TraceLeadsSchema,
    TraceQueueItemSchema,
    TraceSchema,
    TraceTaskCreateSchema,
    TraceTaskOutcomeSchema,
    TraceTaskSchema,
    TraceUnknownSchema,
)
from service.sources.tracing import candidates_for, trace_queue, trace_view

TRACE_READERS = ("admin", "supervisor", "investigator", "officer")
TRACERS = ("supervisor", "investigator")
LEAD_RECORDERS = ("supervisor", "investigator", "officer")


def _case(case_id: int) -> Case:
    """The case, if the caller's jurisdiction covers it (service/review/jurisdiction.py)."""
    from service.review.jurisdiction import may_see

    case = db.session.get(Case, case_id)
    if case is None or not may_see(_actor(), case):
        abort(404, message="案件不存在")
    return case


def _actor() -> User:
    return db.session.get(User, current_principal().user_id)


@blp.route("/cases/<int:case_id>/trace")
class CaseTraceView(MethodView):
    @blp.response(200, TraceSchema)
    @blp.alt_response(404, description="案件不存在")
    @blp.alt_response(409, description="源头超限装载案件无需倒查")
    def get(self, case_id: int):
        """The case's trace: its status, the confirmed source, and the candidates, highest score first."""
        require_role(*TRACE_READERS)
        return trace_view(_case(case_id))


@blp.route("/cases/<int:case_id>/trace/leads", methods=["PUT"])
@blp.arguments(TraceLeadsSchema)
@blp.response(200, TraceSchema)
def record_leads(data, case_id: int):
    """Record what the driver or the station said: origin, cargo, waybill (they count as leads)."""
    require_role(*LEAD_RECORDERS)
    case = _case(case_id)
    trace_ops.record_leads(case, _actor(), **data)
    db.session.commit()
    return trace_view(case)


@blp.route("/cases/<int:case_id>/trace/confirm", methods=["POST"])
@blp.arguments(TraceConfirmSchema)
@blp.response(200, TraceSchema)
@blp.alt_response(409, description="案件未审核确认，或源头单位事项已查明为其他单位")
def confirm_source(data, case_id: int):
    """Confirm the source: a candidate, or any registered source enterprise with the reason (audited)."""
    require_role(*TRACERS)
    case = _case(case_id)
    trace_ops.confirm(case, _actor(), data["enterprise_id"], data.get("reason"))
    db.session.commit()
    return trace_view(case)


@blp.route("/cases/<int:case_id>/trace/unknown", methods=["POST"])
@blp.arguments(TraceUnknownSchema)
@blp.response(200, TraceSchema)
def source_unknown(data, case_id: int):
    """Record that the source remains unknown after the investigation, with the reason (audited)."""
    require_role(*TRACERS)
    case = _case(case_id)
    trace_ops.record_unknown(case, _actor(), data["reason"])
    db.session.commit()
    return trace_view(case)


def task_view(task: TraceTask) -> dict:
    data = {c.key: getattr(task, c.key) for c in TraceTask.__table__.columns}
    data["status_label"] = task.status_label
    data["overdue"] = task.status == "open" and task.due_on < clock.today()
    return data


@blp.route("/cases/<int:case_id>/trace/tasks")
class TraceTasks(MethodView):
    @blp.response(200, TraceTaskSchema(many=True))
    def get(self, case_id: int):
        """The case's field investigations (现场调查)."""
        require_role(*TRACE_READERS)
        _case(case_id)
        return [task_view(t) for t in db.session.scalars(select(TraceTask).where(TraceTask.case_id == case_id))]

    @blp.arguments(TraceTaskCreateSchema)
    @blp.response(201, TraceTaskSchema)
    def post(self, data, case_id: int):
        """Open a field investigation of the case's source, with its due date."""
        require_role(*TRACERS)
        task = trace_ops.open_task(_case(case_id), _actor(), **data)
        db.session.commit()
        return task_view(task)


@blp.route("/trace-tasks/<int:task_id>/outcome", methods=["POST"])
@blp.arguments(TraceTaskOutcomeSchema)
@blp.response(200, TraceTaskSchema)
def task_outcome(data, task_id: int):
    """Record the outcome of a field investigation (audited)."""
    require_role(*TRACERS)
    task = db.session.get(TraceTask, task_id)
    if task is None:
        abort(404, message="现场调查不存在")
    _case(task.case_id)  # another agency's case: not found
    trace_ops.record_task_outcome(task, _actor(), data["outcome"])
    db.session.commit()
    return task_view(task)


@blp.route("/trace-queue")
class TraceQueue(MethodView):
    @blp.response(200, TraceQueueItemSchema(many=True))
    def get(self):
        """Confirmed roadside cases without a decided source, 百吨王 first, with their best candidate."""
        require_role("admin", *TRACERS)
        return [queue_item(c) for c in trace_queue(viewer=_actor())]


def queue_item(case: Case) -> dict:
    cands, (verdict, _) = candidates_for(case)
    trace = trace_ops.trace_row(case.id)
    return {
        "case_id": case.id, "case_number": case.case_number, "plate": case.plate, "captured_at": case.captured_at,
        "gross_weight_kg": case.gross_weight_kg, "excess_pct": case.excess_pct, "baidunwang": case.baidunwang,
        "trace_status": trace.status if trace else "open", "assessment": verdict,
        "top_candidate": cands[0].to_dict() if cands else None, "candidates": cands,
    }  # fmt: skip
