"""The source investigators' console (源头倒查专班): the trace queue (confirmed cases without a
source, 百吨王 first), the candidate review with the roadside and the exit weighing side by side,
the source enterprises (key sources first) with their weighbridges' status, each source's
dossier (and its workbook), and — for admins — the exit weighbridges. Investigators see a case
only as far as tracing needs: its weighing, images and trace, never the owner's procedure."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Case, Enterprise, EvidenceImage, Loading, PartyMatter, Reading, Site, TraceTask, Weighbridge
from service import clock
from service.console.session import check_csrf, current_user, login_required
from service.errors import DomainError
from service.extensions import db
from service.procedure import ANY_VERSION, run_step
from service.sources import trace_ops
from service.sources.queries import source_enterprises, source_matters
from service.sources.tracing import candidates_for, trace_queue, trace_row, traceable
from service.sources.weighbridges import create_weighbridge

bp = Blueprint("sources_console", __name__, template_folder="templates")
PEOPLE = ("admin", "supervisor", "investigator")
TRACERS = ("supervisor", "investigator")
ASSESSMENT_LABELS = {"none": "无线索", "one": "一条线索", "competing": "线索竞合", "clear": "线索明确"}


@bp.get("/sources")
@login_required(*PEOPLE)
def sources():
    from service.sources.dossier import weighbridge_status

    q = request.args.get("q", "").strip()
    bridges: dict[int, list] = {}
    for w in weighbridge_status():
        bridges.setdefault(w["enterprise_id"], []).append(w)
    user = current_user()
    return render_template("sources/sources.html", rows=source_enterprises(q or None, viewer=user),
                           matters=source_matters(viewer=user), q=q, bridges=bridges)  # fmt: skip


@bp.get("/sources/trace")
@login_required(*PEOPLE)
def trace_queue_page():
    from service.sources.trace_routes import queue_item

    rows = [queue_item(c) for c in trace_queue(viewer=current_user())]
    return render_template("sources/trace_queue.html", rows=rows, labels=ASSESSMENT_LABELS)


def _traceable_case(case_id: int) -> Case:
    """A roadside case of this user's jurisdiction (another agency's is not found)."""
    from service.review.jurisdiction import may_see

    case = db.session.get(Case, case_id)
    if case is None or case.loading_id is not None or not may_see(current_user(), case):
        abort(404)
    return case


@bp.get("/sources/cases/<int:case_id>")
@login_required(*PEOPLE)
def trace_case(case_id: int):
    """The candidate review: the roadside weighing beside each candidate's exit weighing."""
    case = _traceable_case(case_id)
    cands, (verdict, verdict_text) = candidates_for(case)
    reading = db.session.get(Reading, case.weighing_reading_id)
    site = db.session.get(Site, case.site_id)
    images = db.session.scalars(
        select(EvidenceImage).where(EvidenceImage.reading_id == case.reading_id, EvidenceImage.status == "ready")
    ).all()
    loadings = {c.loading_id: db.session.get(Loading, c.loading_id) for c in cands if c.loading_id}
    bridges = {lo.id: db.session.get(Weighbridge, lo.weighbridge_id) for lo in loadings.values()}
    trace = trace_row(case.id)
    confirmed = db.session.get(Enterprise, trace.enterprise_id) if trace and trace.enterprise_id else None
    tasks = db.session.scalars(select(TraceTask).where(TraceTask.case_id == case.id).order_by(TraceTask.id)).all()
    return render_template(
        "sources/trace_case.html", case=case, reading=reading, site=site, images=images, cands=cands,
        verdict=verdict, verdict_text=verdict_text, labels=ASSESSMENT_LABELS, loadings=loadings, bridges=bridges,
        trace=trace, confirmed=confirmed, tasks=tasks,
        enterprises=[r["enterprise"] for r in source_enterprises(viewer=current_user())],
        can_trace=current_user().role in TRACERS and traceable(case), today=clock.today(),
    )  # fmt: skip


@bp.get("/sources/cases/<int:case_id>/evidence/<int:evidence_id>")
@login_required(*PEOPLE)
def trace_evidence(case_id: int, evidence_id: int):
    """A roadside image of a case under tracing (its thumbnail), for the side-by-side review."""
    from service.evidence.serving import send_evidence

    case = _traceable_case(case_id)
    row = db.session.get(EvidenceImage, evidence_id)
    if row is None or row.reading_id != case.reading_id:
        abort(404)
    return send_evidence(evidence_id, "thumb")


def _back(case_id: int) -> str:
    g.return_to = url_for("sources_console.trace_case", case_id=case_id)
    return g.return_to


@bp.post("/sources/cases/<int:case_id>/confirm")
@login_required(*TRACERS)
def trace_confirm(case_id: int):
    check_csrf()
    back = _back(case_id)
    raw = request.form.get("enterprise_id", "")
    if not raw.isdigit() or len(raw) > 9:
        raise DomainError("请选择货运源头单位", 422, {"enterprise_id": ["必选"]})
    trace = trace_ops.confirm(_traceable_case(case_id), current_user(), int(raw), request.form.get("reason"))
    db.session.commit()
    flash(f"已确认源头单位：{db.session.get(Enterprise, trace.enterprise_id).name}", "ok")
    return redirect(back)


@bp.post("/sources/cases/<int:case_id>/unknown")
@login_required(*TRACERS)
def trace_unknown(case_id: int):
    check_csrf()
    back = _back(case_id)
    trace_ops.record_unknown(_traceable_case(case_id), current_user(), request.form.get("reason", ""))
    db.session.commit()
    flash("已登记：源头无法查明", "ok")
    return redirect(back)


@bp.post("/sources/cases/<int:case_id>/leads")
@login_required(*TRACERS)
def trace_leads(case_id: int):
    check_csrf()
    back = _back(case_id)
    form = {
        k: request.form.get(k, "").strip()[:n] or None for k, n in (("origin", 128), ("cargo", 64), ("waybill_no", 64))
    }
    trace_ops.record_leads(_traceable_case(case_id), current_user(), **form)
    db.session.commit()
    flash("已登记线索", "ok")
    return redirect(back)


@bp.post("/sources/cases/<int:case_id>/tasks")
@login_required(*TRACERS)
def trace_task(case_id: int):
    check_csrf()
    back = _back(case_id)
    try:
        due = date.fromisoformat(request.form.get("due_on", ""))
    except ValueError:
        raise DomainError("请填写调查期限", 422, {"due_on": ["日期无效"]}) from None
    trace_ops.open_task(_traceable_case(case_id), current_user(), due, request.form.get("instructions", ""))
    db.session.commit()
    flash("已发起现场调查", "ok")
    return redirect(back)


@bp.post("/sources/tasks/<int:task_id>/outcome")
@login_required(*TRACERS)
def trace_task_outcome(task_id: int):
    check_csrf()
    task = db.session.get(TraceTask, task_id)
    if task is None:
        abort(404)
    _traceable_case(task.case_id)  # another agency's case: not found
    back = _back(task.case_id)
    trace_ops.record_task_outcome(task, current_user(), request.form.get("outcome", ""))
    db.session.commit()
    flash("已登记调查结果", "ok")
    return redirect(back)


@bp.get("/sources/source-cases/<int:case_id>")
@login_required("admin", "supervisor", "officer", "investigator")
def source_case(case_id: int):
    """A source case (源头超限装载, S-NO-EXIT): the exit weighing it stands on, the enterprise's
    matter with its basis, the steps this user may take (through the step table) and the timeline."""
    from service import audit
    from service.procedure import actions_for
    from service.review.jurisdiction import may_see

    case = db.session.get(Case, case_id)
    if case is None or case.loading_id is None or not may_see(current_user(), case):
        abort(404)  # another agency's source case is not found, as a roadside one
    loading = db.session.get(Loading, case.loading_id)
    actions = [a for a in actions_for(case, current_user()) if a["matter_id"] is not None]
    return render_template(
        "sources/source_case.html", case=case, loading=loading, bridge=db.session.get(Weighbridge, loading.weighbridge_id),
        enterprise=db.session.get(Enterprise, loading.enterprise_id), matter=case.matters[0] if case.matters else None,
        actions=actions, timeline=audit.events_for("case", case.id), today=clock.today(),
    )  # fmt: skip


@bp.get("/sources/<int:enterprise_id>")
@login_required(*PEOPLE)
def dossier(enterprise_id: int):
    from service.review.jurisdiction import region_covers
    from service.sources.dossier import source_dossier, workbook

    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.kind not in ("source", "both"):
        abort(404)
    if not region_covers(current_user(), enterprise.region_code):
        abort(404)  # another agency's area
    d = source_dossier(enterprise)
    if request.args.get("format") == "xlsx":
        headers = {"Content-Disposition": f'attachment; filename="source-{enterprise.uscc}.xlsx"'}
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(workbook(d), mimetype=mimetype, headers=headers)
    peak = max((s["loadings"] for s in d["series"]), default=0) or 1
    return render_template("sources/dossier.html", d=d, e=enterprise, peak=peak)


@bp.post("/sources/matters/<int:matter_id>/identify")
@login_required(*PEOPLE)
def identify_source(matter_id: int):
    """The investigator names the source enterprise a case's source matter is about (倒查结果)."""
    check_csrf()
    g.return_to = url_for("sources_console.sources")
    from service.review.jurisdiction import may_see

    matter = db.session.get(PartyMatter, matter_id)
    if matter is None or matter.party != "source_enterprise" or not may_see(current_user(), matter.case):
        abort(404)
    case = db.session.scalar(select(Case).where(Case.id == matter.case_id).with_for_update())
    raw = request.form.get("enterprise_id", "")
    params = {"enterprise_id": int(raw) if raw.isdigit() and len(raw) < 10 else None}
    # The list shows the matter as it is now: naming the party needs no version (nothing else changes).
    run_step("identify", case, current_user(), params, matter=matter, expected_version=ANY_VERSION)
    db.session.commit()
    flash(f"已查明：{matter.party_name}", "ok")
    return redirect(url_for("sources_console.sources"))


# ── exit weighbridges (admins): registered like a site, with their own token ──


@bp.get("/admin/weighbridges")
@login_required("admin")
def weighbridges():
    from service.sources.queries import weighbridge_rows

    enterprises = [r["enterprise"] for r in source_enterprises()]
    return render_template("sources/weighbridges.html", rows=weighbridge_rows(), enterprises=enterprises,
                           today=clock.today())  # fmt: skip


@bp.post("/admin/weighbridges")
@login_required("admin")
def weighbridge_create():
    check_csrf()
    raw = request.form.get("calibrated_until", "").strip()
    try:
        until = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise DomainError("检定有效期格式应为 YYYY-MM-DD", 422, {"calibrated_until": ["日期无效"]}) from None
    admin = current_user()
    bridge, token = create_weighbridge(
        request.form.get("code", "").strip(), request.form.get("enterprise", ""), request.form.get("name", "").strip(),
        until, actor=admin.username, actor_user_id=admin.id,
    )  # fmt: skip
    db.session.commit()
    page = render_template("sources/weighbridge_token.html", bridge=bridge, token=token)
    return page, 200, {"Cache-Control": "no-store"}
