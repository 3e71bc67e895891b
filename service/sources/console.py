"""The source investigators' console (源头倒查专班): the source enterprises (货运源头单位) of the
registry, key sources first, with their dossiers and the matters they answer for."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Case, PartyMatter
from service.console.session import check_csrf, current_user, login_required
from service.extensions import db
from service.procedure import ANY_VERSION, run_step
from service.sources.queries import source_enterprises, source_matters
from service.sources.weighbridges import create_weighbridge

bp = Blueprint("sources_console", __name__, template_folder="templates")


@bp.get("/sources")
@login_required("admin", "supervisor", "investigator")
def sources():
    q = request.args.get("q", "").strip()
    return render_template("sources/sources.html", rows=source_enterprises(q or None), matters=source_matters(), q=q)


@bp.post("/sources/matters/<int:matter_id>/identify")
@login_required("admin", "supervisor", "investigator")
def identify_source(matter_id: int):
    """The investigator names the source enterprise a case's source matter is about (倒查结果)."""
    check_csrf()
    g.return_to = url_for("sources_console.sources")
    matter = db.session.get(PartyMatter, matter_id)
    if matter is None or matter.party != "source_enterprise":
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
    from service import clock
    from service.sources.routes import weighbridge_rows

    enterprises = [r["enterprise"] for r in source_enterprises()]
    return render_template("sources/weighbridges.html", rows=weighbridge_rows(), enterprises=enterprises,
                           today=clock.today())  # fmt: skip


@bp.post("/admin/weighbridges")
@login_required("admin")
def weighbridge_create():
    from datetime import date

    from service.errors import DomainError

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
