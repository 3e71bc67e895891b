"""Who is calling: user bearer tokens (signed, expiring) and device tokens.

A blueprint states its access once with `protect`; object-level checks are
`can_*` predicates beside the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, g, request
from flask_smorest import Blueprint, abort
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from models import DeviceToken, User
from models.loading import WEIGHBRIDGE_TOKEN_PREFIX
from models.site import DEVICE_TOKEN_PREFIX
from service.extensions import db
from service.ingest.sites import SiteInfo, device_site

TOKEN_SALT = "zhichao-user-token"


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" | "device"
    role: str  # a user role, or "device"
    user_id: int | None = None
    username: str | None = None
    site_id: int | None = None
    site_code: str | None = None
    # A device's site with its facts, read with the token (ingest needs no second query).
    site: SiteInfo | None = field(default=None, compare=False, repr=False)
    # A source enterprise's exit weighbridge (role "weighbridge", posts loadings only).
    weighbridge: object | None = field(default=None, compare=False, repr=False)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def issue_user_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "gen": user.token_generation})


def _user_principal(token: str) -> Principal | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE_S"])
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or user.token_generation != data.get("gen"):
        return None
    return Principal("user", user.role, user_id=user.id, username=user.username)


def _device_principal(token: str) -> Principal | None:
    site = device_site(DeviceToken.digest(token))
    if site is None:
        return None
    return Principal("device", "device", site_id=site.id, site_code=site.code, site=site)


def _weighbridge_principal(token: str) -> Principal | None:
    from service.sources.weighbridges import bridge_for_token

    bridge = bridge_for_token(token)
    return Principal("weighbridge", "weighbridge", weighbridge=bridge) if bridge is not None else None


def authenticate() -> Principal:
    """The caller's principal, or 401. Cached on `g` for the request."""
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="缺少访问令牌（Authorization: Bearer …）")
    token = token.strip()
    if token.startswith(DEVICE_TOKEN_PREFIX):
        principal = _device_principal(token)
    elif token.startswith(WEIGHBRIDGE_TOKEN_PREFIX):
        principal = _weighbridge_principal(token)
    else:
        principal = _user_principal(token)
    if principal is None:
        abort(401, message="访问令牌无效、已过期或已吊销")
    g.principal = principal
    return principal


def protect(blp: Blueprint, roles: tuple[str, ...], public: tuple[str, ...] = ()) -> None:
    """Every view of `blp` needs a principal whose role is in `roles`.

    `public` lists endpoint names (without the blueprint prefix) open to anyone.
    """

    @blp.before_request
    def _check() -> None:
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        if endpoint in public:
            return
        principal = authenticate()
        if principal.role not in roles:
            abort(403, message="当前账号无权访问此功能")


def current_principal() -> Principal:
    return authenticate()
