"""The source investigators' console (源头倒查专班): the source enterprises (货运源头单位) of the
registry, key sources first, with their dossiers and the matters they answer for."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from service.console.session import login_required
from service.sources.queries import source_enterprises, source_matters

bp = Blueprint("sources_console", __name__, template_folder="templates")


@bp.get("/sources")
@login_required("admin", "supervisor", "investigator")
def sources():
    q = request.args.get("q", "").strip()
    return render_template("sources/sources.html", rows=source_enterprises(q or None), matters=source_matters(), q=q)
