"""Exit weighbridges (出场地磅) of source enterprises and their device tokens (CONTRACT §6).

The same operations serve the CLI (`weighbridges create`), the API and the admin console.
Flush only; callers commit. A weighbridge's token posts loadings for that weighbridge only,
and nothing else: it is not a site's device token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, select

from models import Enterprise, Weighbridge, WeighbridgeToken
from service import audit
from service.errors import DomainError
from service.extensions import db

SOURCE_KINDS = ("source", "both")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def create_weighbridge(
    code: str,
    uscc: str,
    name: str,
    calibrated_until: date | None = None,
    accuracy_class: str | None = None,
    certificate_no: str | None = None,
    *,
    actor: str = "cli",
    actor_user_id: int | None = None,
) -> tuple[Weighbridge, str]:
    """A new weighbridge of the source enterprise `uscc`, and its first token (clear text, once)."""
    errors = {}
    if not isinstance(code, str) or not CODE.match(code):
        errors["code"] = ["只能包含字母、数字、_ 和 -，不超过 32 个字符"]
    if not (name or "").strip() or len(name) > 128:
        errors["name"] = ["必填，不超过 128 个字符"]
    if errors:
        raise DomainError("地磅信息有误", 422, errors)
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None:
        raise DomainError(f"登记簿中没有统一社会信用代码为 {uscc} 的企业", 422, {"enterprise": ["未登记"]})
    if enterprise.kind not in SOURCE_KINDS:
        raise DomainError(
            f"{enterprise.name} 不是货运源头单位，不能登记出场地磅", 422, {"enterprise": ["类型须为货运源头单位"]}
        )
    if db.session.scalar(select(Weighbridge.id).where(Weighbridge.code == code)):
        raise DomainError(f"地磅编码 {code} 已存在", 409, {"code": ["已存在"]})
    bridge = Weighbridge(
        code=code,
        name=name.strip(),
        enterprise_id=enterprise.id,
        calibrated_until=calibrated_until,
        accuracy_class=accuracy_class,
        certificate_no=certificate_no,
        created_at=datetime.now(UTC),
    )
    db.session.add(bridge)
    token, clear = WeighbridgeToken.issue(bridge, label="初始令牌")
    db.session.add(token)
    db.session.flush()
    audit.record(
        "weighbridge.create",
        "enterprise",
        enterprise.id,
        actor=actor,
        actor_user_id=actor_user_id,
        data={"code": code, "calibrated_until": calibrated_until.isoformat() if calibrated_until else None},
    )
    return bridge, clear


def issue_token(bridge: Weighbridge, label: str | None = None, *, actor: str, actor_user_id: int | None):
    token, clear = WeighbridgeToken.issue(bridge, label=label)
    db.session.add(token)
    db.session.flush()
    audit.record("weighbridge.token_issue", "enterprise", bridge.enterprise_id, actor=actor,
                 actor_user_id=actor_user_id, data={"code": bridge.code, "token_id": token.id})  # fmt: skip
    return token, clear


def revoke_token(token: WeighbridgeToken, *, actor: str, actor_user_id: int | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        db.session.flush()
        audit.record("weighbridge.token_revoke", "enterprise", token.weighbridge.enterprise_id, actor=actor,
                     actor_user_id=actor_user_id, data={"code": token.weighbridge.code, "token_id": token.id})  # fmt: skip


@dataclass(frozen=True)
class BridgeInfo:
    """What loading ingest needs of a weighbridge, read with its token in one query."""

    id: int
    code: str
    enterprise_id: int
    accuracy_class: str | None
    calibrated_until: date | None


_W, _T = Weighbridge.__table__.c, WeighbridgeToken.__table__
_ROWS = select(_W.id, _W.code, _W.enterprise_id, _W.accuracy_class, _W.calibrated_until)
_BY_TOKEN = _ROWS.join(_T, _T.c.weighbridge_id == _W.id).where(
    _T.c.token_sha256 == bindparam("digest"), _T.c.revoked_at.is_(None)
)
_BY_CODES = _ROWS.where(_W.code.in_(bindparam("codes", expanding=True)))


def bridge_for_token(token: str) -> BridgeInfo | None:
    row = db.session.connection().execute(_BY_TOKEN, {"digest": WeighbridgeToken.digest(token)}).first()
    return BridgeInfo(*row) if row else None


def load_bridges(codes) -> dict[str, BridgeInfo]:
    codes = [c for c in set(codes) if isinstance(c, str)]
    if not codes:
        return {}
    return {r.code: BridgeInfo(*r) for r in db.session.connection().execute(_BY_CODES, {"codes": codes})}
