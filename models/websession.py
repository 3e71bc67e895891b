"""Server-side state of a browser: console sign-ins and party-page look-ups, and the login throttle.

The cookie carries only a random token (and the form token); what it stands for — who signed
in, when last seen, a party's notice codes — stays here, so logging out, deactivating a user or
resetting a password ends it at once, and nothing secret travels in a cookie.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.reading import BigId


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's token
    kind: Mapped[str] = mapped_column(String(8))  # 'console' | 'party'
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_generation: Mapped[int | None] = mapped_column(Integer)  # the user's, at sign-in
    matter_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("party_matters.id", ondelete="CASCADE"))
    code_hash: Mapped[str | None] = mapped_column(String(64))  # the party code the matter had at look-up
    secrets: Mapped[str | None] = mapped_column(Text)  # Fernet-encrypted JSON (party codes shown once)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuthThrottle(Base):
    """Failed attempts per key ('account:alice', 'client:10.0.0.7', 'party:吉A12345|10.0.0.7') in a
    fixed window: counted in the database, so a lost Redis does not open the door."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
