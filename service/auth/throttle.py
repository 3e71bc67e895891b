"""Guessing is throttled: failed logins per account and per client, party-page look-ups per plate
and client, counted in the database (models.websession.AuthThrottle), so a lost Redis does not
open the door, and every web host sees the same counts.

An attempt is counted before the password is checked (one atomic UPDATE), and taken back when it
succeeds: however many guessers run in parallel, no key gets more than its limit of tries in a
window, and a refused try costs no password hash. The client is the connecting address, or —
only when that address is a configured reverse proxy (TRUSTED_PROXIES) — the nearest address
in X-Forwarded-For that is not one: a client cannot pick its own key by sending the header.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from flask import current_app, request
from sqlalchemy import case, delete, literal, or_, update
from sqlalchemy.exc import IntegrityError

from models.base import UTCDateTime
from models.websession import AuthThrottle
from service import clock
from service.extensions import db

WINDOW = timedelta(minutes=15)
_KEY_MAX = 160


@dataclass(frozen=True)
class Limit:
    key: str
    allowed: int  # tries per window
    notice: str  # said when refused (Chinese), with {minutes}


def login_limits(username: str) -> list[Limit]:
    cfg = current_app.config
    return [
        Limit(
            f"account:{username[:100]}",
            cfg["LOGIN_FAILURES_PER_ACCOUNT"],
            "该账号登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试；如非本人操作请联系管理员",
        ),
        Limit(
            f"client:{client_address()}",
            cfg["LOGIN_FAILURES_PER_CLIENT"],
            "本机登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试",
        ),
    ]


def party_limits(plate: str) -> list[Limit]:
    cfg = current_app.config
    client = client_address()
    return [
        # Per plate and client: a wrong-code burst from one place does not lock out the real party elsewhere.
        Limit(
            f"party:{plate[:32]}|{client}", cfg["PARTY_ATTEMPTS_PER_15_MIN"], "尝试次数过多，请 {minutes} 分钟后再试"
        ),
        Limit(
            f"party-client:{client}", cfg["PARTY_CLIENT_ATTEMPTS_PER_15_MIN"], "尝试次数过多，请 {minutes} 分钟后再试"
        ),
    ]


def attempt(limits: list[Limit]) -> tuple[str, int] | None:
    """Count one try against each limit (committed at once). None: go on; else (notice, seconds
    to wait): refused, without looking at the password."""
    now = clock.now()
    long_over = or_(AuthThrottle.window_start < now - 2 * WINDOW, AuthThrottle.window_start > now + WINDOW)
    db.session.execute(delete(AuthThrottle).where(long_over))
    for limit in limits:
        _bump(limit.key[:_KEY_MAX], now)
    db.session.commit()
    for limit in limits:
        row = db.session.get(AuthThrottle, limit.key[:_KEY_MAX], populate_existing=True)
        if row is not None and row.failures > limit.allowed:
            wait = max(1, math.ceil((row.window_start + WINDOW - now).total_seconds()))
            return limit.notice.format(minutes=math.ceil(wait / 60)), wait
    return None


def succeeded(limits: list[Limit]) -> None:
    """The try was right: it does not count. Flush only; the caller commits."""
    keys = [limit.key[:_KEY_MAX] for limit in limits]
    db.session.execute(
        update(AuthThrottle)
        .where(AuthThrottle.key.in_(keys), AuthThrottle.failures > 0)
        .values(failures=AuthThrottle.failures - 1)
    )


def _bump(key: str, now) -> None:
    """failures + 1 in the current window, or 1 in a new one: one statement, atomic on both databases."""
    # A window that ended, or one "in the future" (the clock was set back), starts again.
    stale = or_(AuthThrottle.window_start <= now - WINDOW, AuthThrottle.window_start > now)
    stmt = (
        update(AuthThrottle)
        .where(AuthThrottle.key == key)
        .values(
            failures=case((stale, 1), else_=AuthThrottle.failures + 1),
            window_start=case((stale, literal(now, UTCDateTime())), else_=AuthThrottle.window_start),
        )
    )
    for _ in range(3):
        if db.session.execute(stmt).rowcount:
            return
        try:
            with db.session.begin_nested():
                db.session.add(AuthThrottle(key=key, failures=1, window_start=now))
            return
        except IntegrityError:  # another request made the row first: count on it
            continue


def client_address() -> str:
    remote = request.remote_addr or "unknown"
    proxies = _networks(current_app.config.get("TRUSTED_PROXIES", ""))
    if not proxies or not _within(remote, proxies):
        return remote
    hops = [h.strip() for h in ",".join(request.headers.getlist("X-Forwarded-For")).split(",") if h.strip()]
    for hop in reversed(hops):  # the nearest hop not one of ours is the client
        if not _within(hop, proxies):
            return hop if _is_address(hop) else remote
    return hops[0] if hops and _is_address(hops[0]) else remote


@lru_cache(maxsize=8)
def _networks(spec: str) -> tuple:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _within(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)
