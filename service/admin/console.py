"""The administration console (admins only): users and sites with their device tokens.

The same operations as the API and the CLI do the work (service/admin/operations.py); a
refusal is an AdminError, which the app's error handler flashes on the page it came from.
A device token's clear text exists only in the response that issues it.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from models import DeviceToken, Site, User
from models.site import SITE_KINDS
from models.user import ROLES
from service.admin import operations as ops
from service.admin import queries
from service.console.session import check_csrf, current_user, login_required, sign_in
from service.extensions import db

bp = Blueprint("admin_console", __name__, template_folder="templates")
ACCURACY_CLASSES = ("0.2", "0.5", "1", "2", "5", "10")  # JJG 907
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
SITE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _actor() -> dict:
    admin = current_user()
    return {"actor": admin.username, "actor_user_id": admin.id}


def _field(name: str, label: str, *, required: bool = False, max_length: int = 64) -> str | None:
    """A trimmed form field; a missing required or overlong value is refused (422) naming the field."""
    value = request.form.get(name, "").strip()
    if required and not value:
        raise ops.AdminError(f"请填写{label}", 422, {name: ["必填"]})
    if len(value) > max_length:
        raise ops.AdminError(f"{label}不得超过 {max_length} 个字符", 422, {name: [f"不得超过 {max_length} 个字符"]})
    return value or None


def _date_field(name: str, label: str) -> date | None:
    raw = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ops.AdminError(f"{label}格式应为 YYYY-MM-DD", 422, {name: ["日期无效"]}) from None


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _site_or_404(code: str) -> Site:
    site = db.session.scalar(select(Site).where(Site.code == code))
    if site is None:
        abort(404)
    return site


def _shown_once(site: Site, token: str, first: bool):
    """The page that shows a device token's clear text, its only appearance; never cached."""
    page = render_template("admin/token.html", site=site, token=token, first=first)
    return page, 200, {"Cache-Control": "no-store"}


# ── users ────────────────────────────────────────────────────────────────────


@bp.get("/admin/users")
@login_required("admin")
def users():
    return render_template(
        "admin/users.html", users=queries.users(), roles=ROLES, me=current_user(), agencies=_agency_choices()
    )


@bp.post("/admin/users")
@login_required("admin")
def user_create():
    check_csrf()
    username = _field("username", "用户名", required=True)
    if not USERNAME.match(username):
        raise ops.AdminError("用户名须为 2–64 位字母、数字或 _ . -", 422, {"username": ["格式无效"]})
    ops.create_user(
        username,
        request.form.get("role", ""),
        request.form.get("password", ""),
        display_name=_field("display_name", "姓名"),
        agency_id=request.form.get("agency_id") or None,
        certificate_number=_field("certificate_number", "执法证号", max_length=32),
        **_actor(),
    )
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("admin_console.users"))


@bp.post("/admin/users/<int:user_id>/profile")
@login_required("admin")
def user_profile(user_id: int):
    """执法证号 and agency of a user."""
    check_csrf()
    ops.set_profile(
        _user_or_404(user_id),
        _field("certificate_number", "执法证号", max_length=32),
        agency_id=request.form.get("agency_id") or None,
        **_actor(),
    )
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("admin_console.users"))


@bp.post("/admin/users/<int:user_id>/active")
@login_required("admin")
def user_active(user_id: int):
    """Deactivate (active=0) or reactivate (active=1) a user."""
    check_csrf()
    ops.set_active(_user_or_404(user_id), request.form.get("active") == "1", **_actor())
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("admin_console.users"))


@bp.post("/admin/users/<int:user_id>/password")
@login_required("admin")
def user_password(user_id: int):
    check_csrf()
    user = _user_or_404(user_id)
    ops.reset_password(user, request.form.get("password", ""), **_actor())
    db.session.commit()
    if user.id == current_user().id:
        sign_in(user)  # the admin's other sessions end; this one carries on with the new password
    flash("已保存", "ok")
    return redirect(url_for("admin_console.users"))


# ── sites and device tokens ──────────────────────────────────────────────────


@bp.get("/admin/sites")
@login_required("admin")
def sites():
    from service.evidence.storage import usage

    return render_template(
        "admin/sites.html",
        rows=queries.sites(),
        verification=_calibration.states(),
        agencies=_agency_choices(),
        kinds=SITE_KINDS,
        accuracy_classes=ACCURACY_CLASSES,
        evidence=usage(),
    )


@bp.post("/admin/sites")
@login_required("admin")
def site_create():
    check_csrf()
    code = _field("code", "点位编码", required=True, max_length=32)
    if not SITE_CODE.match(code):
        raise ops.AdminError("点位编码只能包含字母、数字、_ 和 -", 422, {"code": ["格式无效"]})
    accuracy_class = request.form.get("accuracy_class") or None
    if accuracy_class is not None and accuracy_class not in ACCURACY_CLASSES:
        raise ops.AdminError("准确度等级无效", 422, {"accuracy_class": ["须为 " + " / ".join(ACCURACY_CLASSES)]})
    site, token = ops.create_site(
        code,
        _field("name", "点位名称", required=True, max_length=128),
        request.form.get("kind", ""),
        agency_id=request.form.get("agency_id") or None,
        calibrated_until=_date_field("calibrated_until", "检定有效期"),
        accuracy_class=accuracy_class,
        **_actor(),
    )
    db.session.commit()
    flash("已保存", "ok")
    return _shown_once(site, token, first=True)


@bp.get("/admin/sites/<code>")
@login_required("admin")
def site(code: str):
    site = _site_or_404(code)
    return render_template(
        "admin/site.html",
        site=site,
        tokens=queries.site_tokens(site),
        agencies=_agency_choices(),
        calibrations=_calibration.certificates(site),
    )


@bp.post("/admin/sites/<code>/agency")
@login_required("admin")
def site_agency(code: str):
    """Move the site to another agency: its cases go to that agency's officers."""
    check_csrf()
    ops.set_site_agency(_site_or_404(code), request.form.get("agency_id") or None, **_actor())
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("admin_console.site", code=code))


def _agency_choices() -> list:
    from service.admin.agency_console import choices

    return choices()


@bp.post("/admin/sites/<code>/tokens")
@login_required("admin")
def token_issue(code: str):
    check_csrf()
    site = _site_or_404(code)
    _, token = ops.issue_device_token(site, _field("label", "令牌用途"), **_actor())
    db.session.commit()
    flash("已保存", "ok")
    return _shown_once(site, token, first=False)


@bp.post("/admin/sites/<code>/tokens/<int:token_id>/revoke")
@login_required("admin")
def token_revoke(code: str, token_id: int):
    check_csrf()
    site = _site_or_404(code)
    token = db.session.get(DeviceToken, token_id)
    if token is None or token.site_id != site.id:
        abort(404)
    if request.form.get("confirm") != "1":
        raise ops.AdminError("请勾选“确认吊销”后再吊销", 422, {"confirm": ["必选"]})
    ops.revoke_device_token(token, **_actor())
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("admin_console.site", code=site.code))


from service.admin import agency_console as _agency_console  # noqa: E402
from service.admin import calibration as _calibration  # noqa: E402
from service.admin import status as _status  # noqa: E402

_status.register(bp)  # 系统状态: rule settings in force, the outbox and the job queues
_calibration.register(bp)  # 检定证书: a site's certificates, recorded from its page
_agency_console.register(bp)  # 执法机构: the agency tree
