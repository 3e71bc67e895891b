"""Enforcement agencies (执法机构): province → city detachment → county detachment.

Each agency enforces in one administrative area, named by its GB/T 2260 code (`code`, unique);
the tree is explicit (`parent_id`), and a child's area lies inside its parent's. Users and sites
belong to one agency (`users.agency_id`, `sites.agency_id`); jurisdiction follows this tree
(service/review/jurisdiction.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级"}


def level_of(code: str) -> str:
    """220000 → province, 220100 → city, 220104 → county."""
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def level(self) -> str:
        return level_of(self.code)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]
