"""Administration: sites, device tokens, users (agencies: agencies.py). Flush only; callers commit.

A refusal is an AdminError (a DomainError: 409 unless it says otherwise), answered once
by the app's error handler — the API's error body, or a flash on the console page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from models import DeviceToken, Site, SiteCalibration, User
from models.site import SITE_KINDS
from models.user import ROLES
from service import audit
from service.console.session import end_sessions
from service.errors import DomainError
from service.extensions import db
from service.registry import validation as registry_check


class AdminError(DomainError):
    """A refusal with a message for the operator (Chinese): AdminError(message, status=409, errors=None)."""


def _check_region(code: str | None) -> None:
    """A GB/T 2260 code or none (statistics by region group on it)."""
    errors: dict = {}
    registry_check.region_code(code, "region_code", errors)
    if errors:
        raise AdminError("行政区划代码无效（GB/T 2260，6 位数字）", 422, errors)


def create_site(
    code: str,
    name: str,
    kind: str,
    region_code: str | None = None,
    calibrated_until: date | None = None,
    accuracy_class: str | None = None,
    tolerance_pct: float | None = None,
    actor: str = "cli",
    actor_user_id: int | None = None,
    agency_id: int | None = None,
) -> tuple[Site, str]:
    """A new site and its first device token (clear text returned once). It belongs to the
    agency chosen (its region defaulting to the agency's), or else to the agency of its region
    code or the nearest one above (service/admin/agencies.py)."""
    from service.admin.agencies import get_agency, nearest_agency

    if kind not in SITE_KINDS:
        raise AdminError(f"点位类型须为 {' / '.join(SITE_KINDS)}")
    agency = get_agency(agency_id)
    region_code = (region_code or "").strip() or (agency.code if agency else None)
    _check_region(region_code)
    agency = agency or nearest_agency(region_code)
    if db.session.scalar(select(Site.id).where(Site.code == code)):
        raise AdminError(f"点位编码 {code} 已存在")
    site = Site(
        code=code,
        name=name,
        kind=kind,
        region_code=region_code,
        agency_id=agency.id if agency else None,
        calibrated_until=calibrated_until,
        accuracy_class=accuracy_class,
        tolerance_pct=tolerance_pct,
    )
    db.session.add(site)
    if calibrated_until is not None:
        db.session.add(SiteCalibration(site=site, valid_until=calibrated_until, accuracy_class=accuracy_class))
    token, clear = DeviceToken.issue(site, label="初始令牌")
    db.session.add(token)
    db.session.flush()
    audit.record(
        "site.create",
        "site",
        site.code,
        actor=actor,
        actor_user_id=actor_user_id,
        data={
            "kind": kind,
            "calibrated_until": calibrated_until.isoformat() if calibrated_until else None,
            "agency": agency.code if agency else None,
        },
    )
    return site, clear


def set_site_agency(site: Site, agency_id, *, actor: str = "cli", actor_user_id: int | None = None) -> None:
    """Move a site to another agency (its cases go with it); its region code follows the agency
    unless it already lies inside the agency's area (a county site under a city detachment)."""
    from service.admin.agencies import get_agency
    from service.review.jurisdiction import region_prefix

    agency = get_agency(agency_id)
    before = {"agency_id": site.agency_id, "region_code": site.region_code}
    site.agency_id = agency.id if agency else None
    if agency is not None and not (site.region_code or "").startswith(region_prefix(agency.code)):
        site.region_code = agency.code
    db.session.flush()
    audit.record(
        "site.agency", "site", site.code, actor=actor, actor_user_id=actor_user_id,
        data={"before": before, "after": {"agency_id": site.agency_id, "region_code": site.region_code}},
    )  # fmt: skip


def record_calibration(
    site: Site,
    valid_until: date,
    valid_from: date | None = None,
    certificate_no: str | None = None,
    accuracy_class: str | None = None,
    *,
    actor: str = "cli",
    actor_user_id: int | None = None,
) -> SiteCalibration:
    """Record a verification certificate (检定) of the site's device."""
    if valid_from is not None and valid_from > valid_until:
        raise AdminError("检定有效期起始日期不能晚于截止日期", 422, {"valid_from": ["不能晚于检定有效期截止日期"]})
    cal = SiteCalibration(
        site=site,
        valid_from=valid_from,
        valid_until=valid_until,
        certificate_no=certificate_no,
        accuracy_class=accuracy_class or site.accuracy_class,
    )
    db.session.add(cal)
    if site.calibrated_until is None or valid_until > site.calibrated_until:
        site.calibrated_until = valid_until
    if certificate_no:
        site.certificate_no = certificate_no
    if accuracy_class:
        site.accuracy_class = accuracy_class
    db.session.flush()
    audit.record(
        "site.calibration",
        "site",
        site.code,
        actor=actor,
        actor_user_id=actor_user_id,
        data={
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_until": valid_until.isoformat(),
            "certificate_no": certificate_no,
        },
    )
    return cal


def issue_device_token(
    site: Site, label: str | None = None, *, actor: str = "cli", actor_user_id: int | None = None
) -> tuple[DeviceToken, str]:
    token, clear = DeviceToken.issue(site, label=label)
    db.session.add(token)
    db.session.flush()
    audit.record(
        "device_token.issue",
        "site",
        site.code,
        actor=actor,
        actor_user_id=actor_user_id,
        data={"token_id": token.id, "label": label},
    )
    return token, clear


def revoke_device_token(token: DeviceToken, *, actor: str = "cli", actor_user_id: int | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        audit.record(
            "device_token.revoke",
            "site",
            token.site.code,
            actor=actor,
            actor_user_id=actor_user_id,
            data={"token_id": token.id},
        )
    db.session.flush()


def create_user(
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
    region_code: str | None = None,
    *,
    certificate_number: str | None = None,
    actor: str = "cli",
    actor_user_id: int | None = None,
    agency_id: int | None = None,
) -> User:
    """A new user, in the agency chosen or else the one of `region_code` (or the nearest above)."""
    if role not in ROLES:
        raise AdminError(f"角色须为 {' / '.join(ROLES)}")
    if len(password) < 8:
        raise AdminError("密码至少 8 位")
    agency = _user_agency(agency_id, region_code)
    region_code = agency.code if agency else ((region_code or "").strip() or None)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise AdminError(f"用户名 {username} 已存在")
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        region_code=region_code,
        agency_id=agency.id if agency else None,
        certificate_number=(certificate_number or "").strip() or None,
        active=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create", "user", user.username, actor=actor, actor_user_id=actor_user_id, to_state=role,
        data={"agency": agency.code} if agency else None,
    )  # fmt: skip
    return user


def _user_agency(agency_id, region_code: str | None):
    from service.admin.agencies import get_agency, nearest_agency

    agency = get_agency(agency_id)
    if agency is None:
        _check_region((region_code or "").strip() or None)
        agency = nearest_agency(region_code)
    return agency


def set_active(user: User, active: bool, *, actor: str = "cli", actor_user_id: int | None = None) -> None:
    """Deactivate or reactivate a user. Deactivation ends the user's API tokens and console
    sessions at once (they carry the token generation); an admin cannot lock themselves out."""
    if user.active == active:
        return
    if not active and actor_user_id is not None and user.id == actor_user_id:
        raise AdminError("不能停用自己的账号")
    user.active = active
    if not active:
        user.token_generation = (user.token_generation or 0) + 1
        end_sessions(user.id)
    db.session.flush()
    audit.record(
        "user.activate" if active else "user.deactivate",
        "user",
        user.username,
        actor=actor,
        actor_user_id=actor_user_id,
        from_state="inactive" if active else "active",
        to_state="active" if active else "inactive",
    )


def set_profile(
    user: User,
    certificate_number: str | None,
    region_code: str | None = None,
    *,
    agency_id: int | None = None,
    actor: str = "cli",
    actor_user_id: int | None = None,
) -> None:
    """The user's enforcement certificate number (执法证号, printed on notices and decisions,
    行政处罚法 第四十二条) and agency (chosen, or found for a region code; none: no agency —
    an officer or supervisor then sees no case), audited."""
    agency = _user_agency(agency_id, region_code)
    region_code = agency.code if agency else ((region_code or "").strip() or None)
    number = (certificate_number or "").strip() or None
    if number and len(number) > 32:
        raise AdminError("执法证号最多 32 位", 422, {"certificate_number": ["过长"]})
    before = {
        "certificate_number": user.certificate_number,
        "region_code": user.region_code,
        "agency_id": user.agency_id,
    }
    user.certificate_number, user.region_code = number, region_code
    user.agency_id = agency.id if agency else None
    after = {"certificate_number": number, "region_code": region_code, "agency_id": user.agency_id}
    audit.record(
        "user.profile",
        "user",
        user.username,
        actor=actor,
        actor_user_id=actor_user_id,
        data={"before": before, "after": after},
    )


def reset_password(user: User, new_password: str, *, actor: str = "cli", actor_user_id: int | None = None) -> None:
    """Set a new password; the user's existing tokens and console sessions end at once."""
    if len(new_password) < 8:
        raise AdminError("密码至少 8 位", 422, {"password": ["密码至少 8 位"]})
    user.set_password(new_password)  # bumps token_generation
    end_sessions(user.id)
    db.session.flush()
    audit.record("user.password_reset", "user", user.username, actor=actor, actor_user_id=actor_user_id)
