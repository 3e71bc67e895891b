"""Public pages for the party (当事人): no account, a plate and the notice's code."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, session, url_for

from models import Case, EvidenceImage, Reading, Site
from service.console.session import check_csrf
from service.extensions import db
from service.party.operations import find_case, too_many_attempts
from service.review import procedure as proc

bp = Blueprint("party", __name__, url_prefix="/party")


def _session_case() -> Case | None:
    case_id = session.get("party_case")
    case = db.session.get(Case, case_id) if case_id else None
    if case is None or case.party_code_hash != session.get("party_code_hash"):
        return None
    return case


@bp.route("/", methods=["GET", "POST"])
def lookup():
    if request.method == "POST":
        check_csrf()
        if too_many_attempts(request.remote_addr or "unknown"):
            return render_template("party/lookup.html", error="尝试次数过多，请 15 分钟后再试"), 429
        case = find_case(request.form.get("plate", ""), request.form.get("code", ""))
        if case is None:
            return render_template("party/lookup.html", error="号牌或查询码不正确"), 404
        session["party_case"], session["party_code_hash"] = case.id, case.party_code_hash
        return redirect(url_for("party.record"))
    return render_template("party/lookup.html", error=None)


@bp.get("/record")
def record():
    case = _session_case()
    if case is None:
        return redirect(url_for("party.lookup"))
    reading = db.session.get(Reading, case.reading_id)
    site = db.session.get(Site, case.site_id)
    evidence = db.session.query(EvidenceImage).filter_by(reading_id=case.reading_id, status="ready").all()
    from service.review.procedure import _today

    return render_template(
        "party/record.html", case=case, reading=reading, site=site, evidence=evidence, today=_today()
    )


@bp.post("/record/statement")
def statement():
    check_csrf()
    case = _session_case()
    if case is None:
        return redirect(url_for("party.lookup"))
    try:
        proc.add_statement(
            case,
            None,
            request.form.get("kind", "statement"),
            request.form.get("text", ""),
            channel="party_page",
            contact=(request.form.get("contact") or "")[:64] or None,
        )
    except proc.ProcedureError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("party.record")), 303
    db.session.commit()
    flash("已提交，执法机关将依法复核。", "ok")
    return redirect(url_for("party.record")), 303


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    case = _session_case()
    row = db.session.get(EvidenceImage, evidence_id)
    if case is None or row is None or row.reading_id != case.reading_id or not row.watermarked_path:
        abort(404)
    return send_file(Path(current_app.config["EVIDENCE_DIR"]) / row.watermarked_path, mimetype="image/jpeg")


@bp.post("/logout")
def logout():
    check_csrf()
    session.pop("party_case", None)
    session.pop("party_code_hash", None)
    return redirect(url_for("party.lookup"))
