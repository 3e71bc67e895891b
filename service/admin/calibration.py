"""检定证书 in the administration console: each site's verification certificates (number,
accuracy class, period, when recorded, which one covers today), a form to record one, and each
site's verification state on the sites list — 有效至 a date, 即将到期 within
`CALIBRATION_WARN_DAYS` (a deployment setting, service/config.py), 已过期 or 未登记 — so an
administrator sees which points cannot support penalties.

A reading is judged by the certificate that covered its capture date (rules.calibrated_until_on,
the same function ingest uses); today's state here is that function applied to today. Recording
goes through admin.operations.record_calibration (audited as site.calibration), as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, flash, redirect, request, url_for
from sqlalchemy import select

from models import Site, SiteCalibration
from service import clock
from service.admin import operations as ops
from service.config import rule_settings
from service.console.session import check_csrf, current_user, login_required
from service.extensions import db
from service.rules import calibrated_until_on

ACCURACY_CLASSES = ("0.2", "0.5", "1", "2", "5", "10")  # JJG 907, as the API accepts
EARLIEST, LATEST = date(1990, 1, 1), date(2099, 12, 31)  # no WIM verification predates JJG 907's forerunners
STATE_LABELS = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "none": "未登记"}


@dataclass(frozen=True)
class Verification:
    state: str  # valid | expiring | expired | none
    until: date | None  # end of the certificate covering today, or of the last one that lapsed
    days_left: int | None
    required: bool  # the site's kind needs a verified device before a reading supports a penalty

    @property
    def label(self) -> str:
        if self.state == "none":
            return "未登记检定证书"
        if self.state == "expired":
            return f"已过期（{self.until.isoformat()} 届满）"
        if self.state == "expiring":
            return f"即将到期：有效至 {self.until.isoformat()}（剩 {self.days_left} 天）"
        return f"有效至 {self.until.isoformat()}"

    @property
    def blocks_penalties(self) -> bool:
        return self.required and self.state in ("expired", "none")


def warn_days() -> int:
    return int(current_app.config.get("CALIBRATION_WARN_DAYS", 30))


def verification(periods, today: date, required: bool, warn: int) -> Verification:
    """Today's state from the certificates' (valid_from, valid_until)."""
    until = calibrated_until_on(list(periods), today)
    if until is None:
        return Verification("none", None, None, required)
    if until < today:
        return Verification("expired", until, None, required)
    left = (until - today).days  # the last day still counts (rules.bars: valid through its last day)
    return Verification("expiring" if left <= warn else "valid", until, left, required)


def states(today: date | None = None) -> dict[int, Verification]:
    """Every site's verification state today, in one query."""
    today = today or clock.today()
    required_kinds = set(rule_settings().calibration_required_kinds)
    periods: dict[int, list] = {}
    kinds = dict(db.session.execute(select(Site.id, Site.kind)).all())
    rows = db.session.execute(select(SiteCalibration.site_id, SiteCalibration.valid_from, SiteCalibration.valid_until))
    for site_id, start, until in rows:
        periods.setdefault(site_id, []).append((start, until))
    warn = warn_days()
    return {
        site_id: verification(periods.get(site_id, []), today, kind in required_kinds, warn)
        for site_id, kind in kinds.items()
    }


def certificates(site: Site, today: date | None = None) -> dict:
    """The site's certificates, latest period first, each marked when it covers today; the one
    whose end decides today's state is `applies`."""
    today = today or clock.today()
    rows = list(
        db.session.scalars(
            select(SiteCalibration)
            .where(SiteCalibration.site_id == site.id)
            .order_by(SiteCalibration.valid_until.desc(), SiteCalibration.id.desc())
        )
    )
    periods = [(c.valid_from, c.valid_until) for c in rows]
    state = verification(periods, today, site.kind in rule_settings().calibration_required_kinds, warn_days())
    listed = []
    for c in rows:
        covers = (c.valid_from is None or c.valid_from <= today) and today <= c.valid_until
        listed.append({"row": c, "covers_today": covers, "applies": covers and c.valid_until == state.until})
    return {"rows": listed, "state": state, "today": today, "warn_days": warn_days(), "classes": ACCURACY_CLASSES}


# ── recording one ─────────────────────────────────────────────────────────────


def _date(name: str, label: str) -> date:
    raw = request.form.get(name, "").strip()
    if not raw:
        raise ops.AdminError(f"请填写{label}", 422, {name: ["必填"]})
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ops.AdminError(f"{label}格式应为 YYYY-MM-DD", 422, {name: ["日期无效"]}) from None
    if not EARLIEST <= value <= LATEST:
        message = f"{label}须在 {EARLIEST.isoformat()} 至 {LATEST.isoformat()} 之间"
        raise ops.AdminError(message, 422, {name: [message]})
    return value


def record_from_form(site: Site) -> None:
    """The form's certificate, checked (every refusal names the field in Chinese), then recorded."""
    number = request.form.get("certificate_no", "").strip()
    if not number:
        raise ops.AdminError("请填写检定证书编号", 422, {"certificate_no": ["必填"]})
    if len(number) > 64:
        raise ops.AdminError("检定证书编号不得超过 64 个字符", 422, {"certificate_no": ["不得超过 64 个字符"]})
    accuracy = request.form.get("accuracy_class", "").strip() or None
    if accuracy is not None and accuracy not in ACCURACY_CLASSES:
        message = "准确度等级须为 " + " / ".join(ACCURACY_CLASSES) + " 级"
        raise ops.AdminError(message, 422, {"accuracy_class": [message]})
    # ⚖ The start is required here: a certificate without one would cover every earlier day,
    # including a lapsed gap, and make readings of that gap look verified.
    valid_from = _date("valid_from", "检定日期（有效期起）")
    valid_until = _date("valid_until", "有效期至")
    if valid_from > valid_until:
        raise ops.AdminError("检定日期不能晚于有效期截止日期", 422, {"valid_from": ["不能晚于有效期至"]})
    if valid_from > clock.today():
        raise ops.AdminError("检定日期不能晚于今天", 422, {"valid_from": ["不能晚于今天"]})
    taken = db.session.scalar(
        select(SiteCalibration.id).where(SiteCalibration.site_id == site.id, SiteCalibration.certificate_no == number)
    )
    if taken is not None:
        raise ops.AdminError(f"本点位已登记检定证书 {number}", 409, {"certificate_no": ["已登记"]})
    user = current_user()
    ops.record_calibration(site, valid_until, valid_from, number, accuracy, actor=user.username, actor_user_id=user.id)


def register(bp) -> None:
    @bp.post("/admin/sites/<code>/calibrations", endpoint="calibration_create")
    @login_required("admin")
    def calibration_create(code: str):
        check_csrf()
        site = db.session.scalar(select(Site).where(Site.code == code))
        if site is None:
            abort(404)
        record_from_form(site)
        db.session.commit()
        flash(f"已登记检定证书 {request.form.get('certificate_no', '').strip()}", "ok")
        return redirect(url_for("admin_console.site", code=code) + "#calibrations")
