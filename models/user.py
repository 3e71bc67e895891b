"""People who log in: officers, supervisors, investigators, police, admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import Base, UTCDateTime, utcnow

ROLES = ("admin", "supervisor", "officer", "investigator", "police")
ROLE_LABELS = {
    "admin": "系统管理员",
    "supervisor": "执法负责人",
    "officer": "执法人员",
    "investigator": "源头倒查专班",
    "police": "公安交警",
}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    # 执法证号: printed beside the officer's name on notices and decisions (行政处罚法 第四十二条).
    certificate_number: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(16))
    # 所属执法机构: jurisdiction follows it (service/review/jurisdiction.py); region_code is its code.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: outstanding tokens stop working.
    token_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.token_generation = (self.token_generation or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
