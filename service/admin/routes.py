"""Administrators: agencies, sites, device tokens and users. Refusals are AdminErrors (DomainError), answered once by the app."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from models import DeviceToken, Site, User
from service.admin import agencies
from service.admin import operations as ops
from service.admin.schemas import (
    AgencyCreateSchema,
    AgencySchema,
    AgencyUpdateSchema,
    CalibrationCreateSchema,
    CalibrationSchema,
    DeviceTokenCreateSchema,
    DeviceTokenSchema,
    PasswordResetSchema,
    SiteAgencySchema,
    SiteCreatedSchema,
    SiteCreateSchema,
    SiteSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from service.auth.guard import current_principal, protect
from service.extensions import db

blp = Blueprint("admin", __name__, description="系统管理：执法机构、点位、设备令牌、用户")
protect(blp, roles=("admin",))


def _actor() -> dict:
    p = current_principal()
    return {"actor": p.username or "unknown", "actor_user_id": p.user_id}


def _site_or_404(code: str) -> Site:
    site = db.session.scalar(select(Site).where(Site.code == code))
    if site is None:
        abort(404, message="点位不存在")
    return site


@blp.route("/sites")
class Sites(MethodView):
    @blp.response(200, SiteSchema(many=True))
    def get(self):
        """All sites."""
        return db.session.scalars(select(Site).order_by(Site.code)).all()

    @blp.arguments(SiteCreateSchema)
    @blp.response(201, SiteCreatedSchema)
    def post(self, data):
        """Create a site; the response carries its first device token, once."""
        site, clear = ops.create_site(**data, **_actor())
        db.session.commit()
        return {**{c.key: getattr(site, c.key) for c in Site.__table__.columns}, "device_token": clear}


@blp.route("/sites/<code>/calibrations")
class SiteCalibrations(MethodView):
    @blp.response(200, CalibrationSchema(many=True))
    def get(self, code: str):
        """The site's device verification certificates (检定), oldest first."""
        return _site_or_404(code).calibrations

    @blp.arguments(CalibrationCreateSchema)
    @blp.response(201, CalibrationSchema)
    def post(self, data, code: str):
        """Record a new verification certificate of the site's device."""
        cal = ops.record_calibration(_site_or_404(code), **data, **_actor())
        db.session.commit()
        return cal


@blp.route("/sites/<code>/tokens")
class SiteTokens(MethodView):
    @blp.response(200, DeviceTokenSchema(many=True))
    def get(self, code: str):
        """The site's device tokens (never their clear text)."""
        return _site_or_404(code).tokens

    @blp.arguments(DeviceTokenCreateSchema)
    @blp.response(201, DeviceTokenSchema)
    def post(self, data, code: str):
        """Issue another device token for the site; shown once."""
        token, clear = ops.issue_device_token(_site_or_404(code), data.get("label"), **_actor())
        db.session.commit()
        return {
            "id": token.id,
            "label": token.label,
            "created_at": token.created_at,
            "revoked_at": token.revoked_at,
            "device_token": clear,
        }


@blp.route("/sites/<code>/agency", methods=["PUT"])
@blp.arguments(SiteAgencySchema)
@blp.response(200, SiteSchema)
@blp.alt_response(422, description="执法机构不存在")
def site_agency(data, code: str):
    """Move the site to another agency: its cases go to that agency's officers (audited)."""
    site = _site_or_404(code)
    ops.set_site_agency(site, data["agency_id"], **_actor())
    db.session.commit()
    return site


@blp.route("/sites/<code>/tokens/<int:token_id>")
class SiteTokenById(MethodView):
    @blp.response(204)
    def delete(self, code: str, token_id: int):
        """Revoke a device token at once."""
        site = _site_or_404(code)
        token = db.session.get(DeviceToken, token_id)
        if token is None or token.site_id != site.id:
            abort(404, message="令牌不存在")
        ops.revoke_device_token(token, **_actor())
        db.session.commit()


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """All users."""
        return db.session.scalars(select(User).order_by(User.username)).all()

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user (password stored hashed)."""
        user = ops.create_user(**data, **_actor())
        db.session.commit()
        return user


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, message="用户不存在")
    return user


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(409, description="不能停用自己的账号")
    def patch(self, data, user_id: int):
        """Deactivate or reactivate a user (deactivation ends their tokens and console sessions at
        once), or place them in an agency (their jurisdiction follows it)."""
        user = _user_or_404(user_id)
        if "active" in data:
            ops.set_active(user, data["active"], **_actor())
        if "agency_id" in data:
            ops.set_profile(user, user.certificate_number, agency_id=data["agency_id"], **_actor())
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/password", methods=["POST"])
@blp.arguments(PasswordResetSchema)
@blp.response(204)
def user_password(data, user_id: int):
    """Set a new password; the user's tokens and console sessions end at once."""
    ops.reset_password(_user_or_404(user_id), data["password"], **_actor())
    db.session.commit()


@blp.route("/agencies")
class Agencies(MethodView):
    @blp.response(200, AgencySchema(many=True))
    def get(self):
        """Every enforcement agency (执法机构), in tree order: each under its parent."""
        return [agencies.agency_view(r.agency) for r in agencies.agency_rows()]

    @blp.arguments(AgencyCreateSchema)
    @blp.response(201, AgencySchema)
    @blp.alt_response(409, description="该行政区划已有执法机构")
    @blp.alt_response(422, description="代码无效、缺少上级机构或不在上级机构辖区内")
    def post(self, data):
        """Create an agency under its parent; the sites of its area held by the parent move to it."""
        agency = agencies.create_agency(data["code"], data.get("name"), data.get("parent_id"), **_actor())
        db.session.commit()
        return agencies.agency_view(agency)


@blp.route("/agencies/<int:agency_id>", methods=["PATCH"])
@blp.arguments(AgencyUpdateSchema)
@blp.response(200, AgencySchema)
@blp.alt_response(404, description="执法机构不存在")
def agency_rename(data, agency_id: int):
    """Rename an agency."""
    from models import Agency

    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404, message="执法机构不存在")
    agencies.rename_agency(agency, data["name"], **_actor())
    db.session.commit()
    return agencies.agency_view(agency)
