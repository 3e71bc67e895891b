"""The officers' and supervisors' console: the review queue, the case page and its steps,
my cases, deadlines, notices and decisions. Every step posts to one route that runs the
step table (service/procedure), like the API; the page shows the steps the user may take."""

from __future__ import annotations

import math

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import func, select

from models import Case, EvidenceImage, PartyMatter, Site
from models.case import OPEN_STATUSES, REVIEW_CHECKS
from service import audit, clock
from service.console.session import check_csrf, current_user, login_required, recall_secret, remember_secret
from service.extensions import db
from service.procedure import run_step
from service.review.exports import CASE_COLUMNS, MAX_ROWS, xlsx
from service.review.forms import FORMS, number
from service.review.legal_text import needs_footnote
from service.review.queries import (
    case_detail,
    case_query,
    deadline_list,
    earlier_cases,
    rows_view,
    statements_to_review,
    weighing,
)
from service.review.schemas import CaseQueryArgsSchema

bp = Blueprint("review_console", __name__, template_folder="templates")


@bp.record_once
def _public_legal_text(state) -> None:
    """No research marker (UNCONFIRMED, [S1], [PROV]) reaches a page: every value a template
    prints goes through public_text (service/review/legal_text.py)."""
    from service.review.legal_text import FOOTNOTE, field_label, public_text

    state.app.jinja_env.finalize = public_text
    state.app.jinja_env.globals["LEGAL_FOOTNOTE"] = FOOTNOTE
    state.app.jinja_env.filters["field_label"] = field_label


REVIEWERS = ("admin", "supervisor", "officer")
PAGE_SIZE = 25


def _queue_args() -> dict:
    """The queue's filters, read by the API's own query schema (a bad date is said and ignored)."""
    raw = {k: v.strip() for k, v in request.args.items() if v.strip() and k != "page"}
    schema = CaseQueryArgsSchema(unknown=EXCLUDE)
    try:
        args = schema.load(raw)
    except ValidationError as exc:
        for key in ("from", "to"):
            if key in exc.messages and key in raw and "早于" not in str(exc.messages[key]):
                flash(f"日期格式应为 YYYY-MM-DD：{raw[key]}", "error")
        args = schema.load({k: v for k, v in raw.items() if k not in exc.messages}, partial=True)
        if "早于" in str(exc.messages.get("to", "")):  # a reversed range: said, and searched the right way round
            start, end = schema.fields["to"].deserialize(raw["to"]), schema.fields["from_"].deserialize(raw["from"])
            args["from"], args["to"] = start, end
            flash(f"截止日期早于起始日期，已按 {start} 至 {end} 查询", "error")
    if "status" not in request.args:
        args["status"] = "pending_review"
    return args


@bp.app_template_global()
def page_url(page: int) -> str:
    """This list's address with every filter kept and another page."""
    from urllib.parse import urlencode

    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return f"{request.path}?{urlencode(args, doseq=True)}"


@bp.app_template_global()
def export_url() -> str:
    """This list's address, with its filters, as an Excel file."""
    from urllib.parse import urlencode

    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"}
    args["format"] = ["xlsx"]
    return f"{request.path}?{urlencode(args, doseq=True)}"


@bp.get("/cases")
@login_required(*REVIEWERS)
def cases():
    stmt = case_query(_queue_args(), viewer=current_user())
    if request.args.get("format") == "xlsx":  # every row the filters select, not only this page
        return _case_export("审核队列", db.session.execute(stmt.limit(MAX_ROWS)).all())
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)  # out of range: the nearest page
    rows = db.session.execute(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template(
        "review/cases.html",
        rows=rows_view(rows),
        total=total,
        page=page,
        pages=pages,
        sites=db.session.scalars(_visible_sites().order_by(Site.code)).all(),
        args=request.args,
    )


@bp.get("/cases/<int:case_id>")
@login_required(*REVIEWERS)
def case_page(case_id: int):
    case = _visible(db.session.get(Case, case_id))
    if case.loading_id is not None:  # a source case (S-NO-EXIT) stands on an exit weighing: its own page
        return redirect(url_for("sources_console.source_case", case_id=case.id))
    detail = case_detail(case, current_user())
    return render_template(
        "review/case.html",
        case=detail,
        obj=case,
        reading=weighing(case),
        site=db.session.get(Site, case.site_id),
        earlier=earlier_cases(case, viewer=current_user()),
        today=clock.today(),
        evidence=db.session.scalars(
            select(EvidenceImage).where(EvidenceImage.reading_id == case.reading_id).order_by(EvidenceImage.id)
        ).all(),
        REVIEW_CHECKS=REVIEW_CHECKS,
        timeline=audit.events_for("case", case.id),
        needs_checklist=detail["site"]["kind"] in ("wim", "toll_entry"),
        footnote=needs_footnote(
            case.rule_article,
            weighing(case).tolerance_basis,
            *(str(m.basis or "") for m in case.matters),
        ),
    )


# ── one route for every step, as the API: form → the step's input → the step table ──


@bp.post("/cases/<int:case_id>/act/<step>")
@login_required(*REVIEWERS)
def case_act(case_id: int, step: str):
    check_csrf()
    if step not in FORMS:
        abort(404)
    g.return_to = url_for("review_console.case_page", case_id=case_id)  # a refusal is shown on the case page
    case = _visible(db.session.scalar(select(Case).where(Case.id == case_id).with_for_update()))
    matter = None
    if request.form.get("matter_id"):
        matter = next((m for m in case.matters if str(m.id) == request.form["matter_id"]), None)
        if matter is None:
            abort(404)
    params = FORMS[step](request.form)
    effect = run_step(step, case, current_user(), params, matter=matter, expected_version=number("version"))
    db.session.commit()
    if step == "notice":
        matter = matter or case.lead_matter
        # The clear code lives only with this officer's sign-in on the server (encrypted), for
        # printing the notice: never in a cookie, the flash message included.
        remember_secret(f"party_code_{matter.id}", effect.result)
        db.session.commit()
        flash(f"已发出告知书 {matter.notice_number}。当事人查询码已印在告知书上，请立即打印", "ok")
    else:
        flash("已保存", "ok")
    if step in ("confirm", "dismissal") and request.form.get("next_in_queue"):
        return redirect(_next_in_queue())
    return redirect(url_for("review_console.case_page", case_id=case_id))


def _next_in_queue() -> str:
    """The next pending case in queue order, for review without going back to the list."""
    nxt = db.session.execute(case_query({"status": "pending_review"}, viewer=current_user()).limit(1)).first()
    return url_for("review_console.case_page", case_id=nxt[0].id) if nxt else url_for("review_console.cases")


@bp.get("/cases/next")
@login_required(*REVIEWERS)
def next_case():
    return redirect(_next_in_queue())


@bp.get("/my-cases")
@login_required(*REVIEWERS)
def my_cases():
    stmt = case_query({"mine": True}, user_id=current_user().id, viewer=current_user())
    if request.args.get("format") == "xlsx":
        return _case_export("我的案件", db.session.execute(stmt.where(Case.status.in_(OPEN_STATUSES))).all())
    rows = db.session.execute(stmt.where(Case.status.in_(OPEN_STATUSES)).limit(200)).all()
    return render_template(
        "review/list.html",
        title="我的案件",
        rows=rows_view(rows),
        empty="没有分配给您或由您办理的未结案件",
        waiting_statements=statements_to_review(current_user().id),
    )


@bp.get("/deadlines")
@login_required(*REVIEWERS)
def deadlines():
    from service.procedure.deadlines import deadline_view

    items = []
    for case, code in db.session.execute(deadline_list(current_user()).limit(500)).all():
        view = rows_view([(case, code)])[0]
        view["deadlines"] = [d for d in deadline_view(case) if d["running"] and (d["overdue"] or d["due_soon"])]
        items.append(view)
    if request.args.get("format") == "xlsx":
        due = (
            "期限",
            lambda c: "；".join(
                f"{d['label']} {d['due']}{'（已逾期）' if d['overdue'] else ''}" for d in c["deadlines"]
            ),
        )
        return xlsx("期限提醒", [*CASE_COLUMNS, due], items)
    return render_template("review/deadlines.html", rows=items)


def _case_export(title: str, rows) -> Response:
    views = []
    for start in range(0, len(rows), 1000):  # the 屡犯 flags: one grouped read per thousand rows
        views += rows_view(rows[start : start + 1000])
    return xlsx(title, CASE_COLUMNS, views)


# ── notices and decisions ────────────────────────────────────────────────────


def _document(matter: PartyMatter | None, kind: str):
    from service.review.documents import decision_document, notice_document

    if matter is None or kind not in ("notice", "decision"):
        abort(404)
    if kind == "notice" and not matter.notice_number:
        abort(404, description="尚未发出告知书")
    if kind == "decision" and not matter.decision_number:
        abort(404, description="尚未作出处罚决定")
    if kind == "notice":
        return notice_document(matter, recall_secret(f"party_code_{matter.id}"))
    return decision_document(matter)


def _visible_sites():
    from service.review.jurisdiction import site_clause

    clause = site_clause(current_user())
    return select(Site) if clause is None else select(Site).where(clause)


def _visible(case: Case | None) -> Case:
    """The case if this user's jurisdiction covers it; another agency's case is not found (404)."""
    from service.review.jurisdiction import may_see

    if case is None or not may_see(current_user(), case):
        abort(404)
    return case


def _lead(case_id: int) -> PartyMatter | None:
    return _visible(db.session.get(Case, case_id)).lead_matter


def _show(matter: PartyMatter | None, kind: str, pdf_url: str):
    doc = _document(matter, kind)
    from models.evidence import EVIDENCE_KINDS

    images = [
        (EVIDENCE_KINDS.get(e.kind, e.kind), f"/evidence/{e.id}/thumb")
        for e in db.session.scalars(
            select(EvidenceImage).where(
                EvidenceImage.reading_id == matter.case.reading_id, EvidenceImage.status == "ready"
            )
        )
    ]
    return render_template("review/document.html", doc=doc, images=images, pdf_url=pdf_url)


def _pdf(matter: PartyMatter | None, kind: str):
    from service.review.documents import render_pdf

    doc = _document(matter, kind)
    filename = f"{doc.number or kind}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(render_pdf(doc), mimetype="application/pdf", headers=headers)


@bp.get("/cases/<int:case_id>/documents/<kind>")
@login_required(*REVIEWERS)
def document(case_id: int, kind: str):
    """The owner's notice or decision, as a print view."""
    return _show(_lead(case_id), kind, url_for("review_console.document_pdf", case_id=case_id, kind=kind))


@bp.get("/cases/<int:case_id>/documents/<kind>.pdf")
@login_required(*REVIEWERS)
def document_pdf(case_id: int, kind: str):
    return _pdf(_lead(case_id), kind)


@bp.get("/matters/<int:matter_id>/documents/<kind>")
@login_required(*REVIEWERS)
def matter_document(matter_id: int, kind: str):
    """Another party's notice or decision, as a print view."""
    matter = db.session.get(PartyMatter, matter_id)
    _visible(matter.case if matter is not None else None)
    return _show(matter, kind, url_for("review_console.matter_document_pdf", matter_id=matter_id, kind=kind))


@bp.get("/matters/<int:matter_id>/documents/<kind>.pdf")
@login_required(*REVIEWERS)
def matter_document_pdf(matter_id: int, kind: str):
    matter = db.session.get(PartyMatter, matter_id)
    _visible(matter.case if matter is not None else None)
    return _pdf(matter, kind)


@bp.get("/evidence/<int:evidence_id>/<any(original, thumb, watermarked):variant>")
@login_required(*REVIEWERS)
def evidence_file(evidence_id: int, variant: str):
    from service.evidence.serving import send_evidence

    row = db.session.get(EvidenceImage, evidence_id)
    case = db.session.scalar(select(Case).where(Case.reading_id == row.reading_id)) if row and row.reading_id else None
    if case is not None:
        _visible(case)  # another agency's evidence is not found either
    return send_evidence(evidence_id, variant)


from service.review import inbox as _inbox  # noqa: E402,F401  (the supervisor's inbox and bulk assignment)
