"""Password login → a signed, expiring bearer token (CONTRACT §3)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from models import User
from service.auth import throttle
from service.auth.guard import issue_user_token
from service.auth.schemas import TokenRequestSchema, TokenSchema
from service.extensions import db

blp = Blueprint("auth", __name__, description="登录与令牌")

# A fixed hash to compare against when the user does not exist, so that response
# time does not reveal which usernames exist.
_DUMMY = User(password_hash="scrypt:32768:8:1$x$" + "0" * 128)


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="用户名或密码错误")
    @blp.alt_response(429, description="登录失败次数过多（按账号、按客户端计），暂停登录；Retry-After 给出秒数")
    @blp.doc(security=[])
    def post(self, creds):
        """Log in with username and password; returns a bearer token."""
        limits = throttle.login_limits(creds["username"])
        refused = throttle.attempt(limits)
        if refused is not None:
            abort(429, message=refused[0], headers={"Retry-After": str(refused[1])})
        user = db.session.scalar(select(User).where(User.username == creds["username"]))
        ok = (user or _DUMMY).check_password(creds["password"])
        if user is None or not ok or not user.active:
            abort(401, message="用户名或密码错误")
        throttle.succeeded(limits)
        db.session.commit()
        return {
            "access_token": issue_user_token(user),
            "token_type": "Bearer",
            "role": user.role,
            "expires_in": current_app.config["TOKEN_MAX_AGE_S"],
        }
