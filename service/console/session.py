"""Console sign-in: a signed session cookie (no server-side state), CSRF tokens on forms."""

from __future__ import annotations

import secrets
from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from models import User
from service.extensions import db


def sign_in(user: User) -> None:
    session.clear()
    session["uid"], session["gen"] = user.id, user.token_generation
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True


def current_user() -> User | None:
    if "console_user" not in g:
        user = db.session.get(User, session["uid"]) if "uid" in session else None
        if user is not None and (not user.active or user.token_generation != session.get("gen")):
            user = None
        g.console_user = user
    return g.console_user


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="表单已过期，请刷新页面后重试")


def login_required(*roles: str):
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("console.login", next=request.full_path))
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return inner

    return wrap
