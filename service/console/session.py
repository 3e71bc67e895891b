"""Console sign-in and the party page's look-up: a random token in the signed cookie, the state
on the server (models/websession.py), CSRF tokens on forms.

A sign-in ends when the user logs out (the row is deleted: a copy of the cookie opens nothing
after), when an administrator deactivates the user or resets the password (their rows are
deleted and the token generation moves on), after SESSION_IDLE_MINUTES without a page, and at
the latest PERMANENT_SESSION_LIFETIME after it began. Secrets the console shows once — a party's
access code, printed on the notice — are kept encrypted in the row, never in the cookie.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import delete, or_

from models import PartyMatter, User
from models.websession import WebSession
from service import clock
from service.extensions import db

CONSOLE, PARTY = "sid", "psid"  # the cookie's keys for the two kinds of sign-in
TOUCH_EVERY = timedelta(seconds=60)  # last_seen is written at most once a minute per session


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _open(kind: str, key: str, **columns) -> None:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    _forget_expired(now)
    db.session.add(WebSession(id=_digest(token), kind=kind, created_at=now, last_seen_at=now, **columns))
    db.session.commit()  # stored at once: the next request must find it
    session[key] = token
    session.setdefault("csrf", secrets.token_urlsafe(24))
    session.permanent = True


def _forget_expired(now) -> None:
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    db.session.execute(
        delete(WebSession).where(or_(WebSession.last_seen_at < now - idle, WebSession.created_at < now - lifetime))
    )


def _row(kind: str, key: str) -> WebSession | None:
    """The live session the cookie names, or None (unknown, ended, idle too long, too old)."""
    token = session.get(key)
    if not isinstance(token, str) or not token:
        return None
    row = db.session.get(WebSession, _digest(token))
    if row is None or row.kind != kind:
        return None
    now = clock.now()
    if now - row.last_seen_at > timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]):
        return None
    if now - row.created_at > timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"]):
        return None
    return row


def _end(key: str) -> None:
    token = session.pop(key, None)
    if isinstance(token, str) and token:
        db.session.execute(delete(WebSession).where(WebSession.id == _digest(token)))
        db.session.commit()


# ── the console ──────────────────────────────────────────────────────────────


def sign_in(user: User) -> None:
    """A new console session for `user` (any earlier one of this browser ends)."""
    _end(CONSOLE)
    session.clear()
    _open("console", CONSOLE, user_id=user.id, token_generation=user.token_generation)


def sign_out() -> None:
    _end(CONSOLE)
    session.clear()


def end_sessions(user_id: int) -> None:
    """End every console session of a user (deactivation, password reset). Flush only."""
    db.session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def console_session() -> WebSession | None:
    if "console_session" not in g:
        g.console_session = _row("console", CONSOLE)
    return g.console_session


def current_user() -> User | None:
    if "console_user" not in g:
        row = console_session()
        user = db.session.get(User, row.user_id) if row is not None else None
        if user is not None and (not user.active or user.token_generation != row.token_generation):
            user = None
        g.console_user = user
    return g.console_user


def _touch() -> None:
    """Mark the session seen (idle expiry counts from here), before the view runs."""
    row = console_session()
    now = clock.now()
    if row is not None and now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()


def remember_secret(name: str, value: str) -> None:
    """Keep a value the console showed once (a party code) with this sign-in, encrypted."""
    from service.registry import crypto

    row = console_session()
    if row is None:
        return
    data = json.loads(crypto.decrypt(row.secrets)) if row.secrets else {}
    data[name] = value
    row.secrets = crypto.encrypt(json.dumps(data))


def recall_secret(name: str) -> str | None:
    from service.registry import crypto

    row = console_session()
    if row is None or not row.secrets:
        return None
    return json.loads(crypto.decrypt(row.secrets)).get(name)


# ── the party page ───────────────────────────────────────────────────────────


def party_sign_in(matter: PartyMatter) -> None:
    _end(PARTY)
    _open("party", PARTY, matter_id=matter.id, code_hash=matter.party_code_hash)


def party_matter() -> PartyMatter | None:
    """The matter the party looked up, while its code is still the one they gave."""
    row = _row("party", PARTY)
    matter = db.session.get(PartyMatter, row.matter_id) if row is not None and row.matter_id else None
    if matter is None or not matter.party_code_hash or matter.party_code_hash != row.code_hash:
        return None
    return matter


def party_sign_out() -> None:
    _end(PARTY)


# ── forms ────────────────────────────────────────────────────────────────────


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
            _touch()
            return view(*args, **kwargs)

        return inner

    return wrap
