"""Public pages for the party (当事人): no account, a plate and the notice's code
(行政处罚法 第四十一条第三款: query the record, see the evidence, state a case)."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import select

from models import EvidenceImage, PartyMatter, Reading, Site
from service import clock
from service.auth import throttle
from service.console.session import check_csrf, party_matter, party_sign_in, party_sign_out
from service.extensions import db
from service.party.operations import find_matter
from service.procedure import ANY_VERSION, run_step
from service.rules import normalise_plate

bp = Blueprint("party", __name__, url_prefix="/party")


def _session_matter() -> PartyMatter | None:
    return party_matter()  # the look-up is kept on the server; the cookie holds a random token


@bp.route("/", methods=["GET", "POST"])
def lookup():
    if request.method == "POST":
        check_csrf()
        # Counted in the database per plate and client (service/auth/throttle.py): no Redis needed,
        # and a wrong-code burst from elsewhere does not lock out the real party.
        limits = throttle.party_limits(normalise_plate(request.form.get("plate", "")) or "")
        refused = throttle.attempt(limits)
        if refused is not None:
            return render_template("party/lookup.html", error=refused[0]), 429, {"Retry-After": str(refused[1])}
        matter = find_matter(request.form.get("plate", ""), request.form.get("code", ""))
        if matter is None:
            return render_template("party/lookup.html", error="号牌或查询码不正确"), 404
        throttle.succeeded(limits)
        party_sign_in(matter)
        return redirect(url_for("party.record"))
    return render_template("party/lookup.html", error=None)


@bp.get("/record")
def record():
    matter = _session_matter()
    if matter is None:
        return redirect(url_for("party.lookup"))
    case = matter.case
    reading = db.session.get(Reading, case.weighing_reading_id)
    evidence = db.session.scalars(
        select(EvidenceImage).where(EvidenceImage.reading_id == case.reading_id, EvidenceImage.status == "ready")
    ).all()
    return render_template(
        "party/record.html",
        matter=matter,
        case=case,
        reading=reading,
        site=db.session.get(Site, reading.site_id),
        evidence=evidence,
        today=clock.today(),
    )


@bp.post("/record/statement")
def statement():
    check_csrf()
    matter = _session_matter()
    if matter is None:
        return redirect(url_for("party.lookup"))
    g.return_to = url_for("party.record")  # a refusal is shown on the record page
    params = {
        "kind": request.form.get("kind", "statement"),
        "text": request.form.get("text", ""),
        "channel": "party_page",
        "contact": (request.form.get("contact") or "")[:64] or None,
    }
    run_step("statement", matter.case, None, params, matter=matter, expected_version=ANY_VERSION)
    db.session.commit()
    flash("已提交，执法机关将依法复核。", "ok")
    return redirect(url_for("party.record")), 303


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    matter = _session_matter()
    row = db.session.get(EvidenceImage, evidence_id)
    if matter is None or row is None or row.reading_id != matter.case.reading_id or not row.watermarked_path:
        abort(404)
    return send_file(Path(current_app.config["EVIDENCE_DIR"]) / row.watermarked_path, mimetype="image/jpeg")


@bp.get("/record/decision")
def decision():
    """The decision (决定书) addressed to this party, once made: the print view."""
    from models.evidence import EVIDENCE_KINDS
    from service.review.documents import decision_document

    matter = _session_matter()
    if matter is None or not matter.decision_number:
        abort(404)
    images = [
        (EVIDENCE_KINDS.get(e.kind, e.kind), url_for("party.evidence", evidence_id=e.id))
        for e in db.session.scalars(
            select(EvidenceImage).where(
                EvidenceImage.reading_id == matter.case.reading_id, EvidenceImage.status == "ready"
            )
        )
    ]
    doc = decision_document(matter)
    return render_template("review/document.html", doc=doc, images=images, pdf_url=url_for("party.decision_pdf"))


@bp.get("/record/decision.pdf")
def decision_pdf():
    from flask import Response

    from service.review.documents import decision_document, render_pdf

    matter = _session_matter()
    if matter is None or not matter.decision_number:
        abort(404)
    headers = {"Content-Disposition": f'inline; filename="{matter.decision_number}.pdf"'}
    return Response(render_pdf(decision_document(matter)), mimetype="application/pdf", headers=headers)


@bp.post("/logout")
def logout():
    check_csrf()
    party_sign_out()
    return redirect(url_for("party.lookup"))
