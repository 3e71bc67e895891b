"""执法机构 for administrators: the agency tree, with each agency's users and sites; create an
agency under its parent, rename one. Registered on the administration console's blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from models import Agency
from service.admin import agencies
from service.console.session import check_csrf, current_user, login_required
from service.extensions import db


def _actor() -> dict:
    admin = current_user()
    return {"actor": admin.username, "actor_user_id": admin.id}


@login_required("admin")
def agencies_page():
    return render_template("admin/agencies.html", rows=agencies.agency_rows())


@login_required("admin")
def agency_create():
    check_csrf()
    agency = agencies.create_agency(
        request.form.get("code", "")[:16], request.form.get("name", "")[:200], request.form.get("parent_id") or None,
        **_actor(),
    )  # fmt: skip
    db.session.commit()
    flash(f"已新建：{agency.name}", "ok")
    return redirect(url_for("admin_console.agencies"))


@login_required("admin")
def agency_rename(agency_id: int):
    check_csrf()
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    agencies.rename_agency(agency, request.form.get("name", "")[:200], **_actor())
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("admin_console.agencies"))


def register(bp) -> None:
    bp.add_url_rule("/admin/agencies", "agencies", agencies_page, methods=["GET"])
    bp.add_url_rule("/admin/agencies", "agency_create", agency_create, methods=["POST"])
    bp.add_url_rule("/admin/agencies/<int:agency_id>/name", "agency_rename", agency_rename, methods=["POST"])


class Choices(list):
    """The agencies for a form's select, in tree order (indented), and each one's name by id."""

    @property
    def names(self) -> dict[int, str]:
        return {r.agency.id: r.agency.name for r in self}


def choices() -> Choices:
    return Choices(agencies.agency_rows())
