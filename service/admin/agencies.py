"""Enforcement agencies (执法机构): created under a parent, renamed, and found for a region code.
Flush only; callers commit. Audited like the other administration operations.

A site or a user given a region code joins the agency of that code or, failing that, the nearest
agency above it (220104 → 220100 → 220000); with none, it belongs to no agency. When a new agency
is created, the sites of its area that sat with the agency above it (or with none) move to it —
the nearest-agency rule stays true — and so do users of its area not yet placed in any agency.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from models import Agency, Site, User
from models.agency import level_of
from service import audit
from service.admin.regions import agency_name, parent_code
from service.errors import DomainError
from service.extensions import db
from service.registry import validation as registry_check
from service.review.jurisdiction import region_prefix


def nearest_agency(region_code: str | None) -> Agency | None:
    """The agency of this code, or the nearest one above it."""
    code = (region_code or "").strip()
    while code and registry_check.region_code_is_valid(code):
        agency = db.session.scalar(select(Agency).where(Agency.code == code))
        if agency is not None:
            return agency
        code = parent_code(code)
    return None


def get_agency(agency_id, field: str = "agency_id") -> Agency | None:
    """The agency chosen on a form or in a request body (None/"" → none); an unknown one is refused."""
    if agency_id in (None, ""):
        return None
    raw = str(agency_id).strip()
    agency = db.session.get(Agency, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if agency is None:
        raise DomainError("所属机构不存在", 422, {field: ["请选择已登记的执法机构"]})
    return agency


def create_agency(
    code: str,
    name: str | None = None,
    parent_id: int | None = None,
    *,
    actor: str = "cli",
    actor_user_id: int | None = None,
) -> Agency:
    """A new agency for the area `code`, under `parent_id` (a province needs none; a city or a
    county one whose area contains it). `name` defaults to the area's (长春市交通运输综合行政执法支队)."""
    code = (code or "").strip()
    if not registry_check.region_code_is_valid(code):
        raise DomainError("机构代码须为 6 位行政区划代码（GB/T 2260）", 422, {"code": ["如 220000、220100、220104"]})
    if db.session.scalar(select(Agency.id).where(Agency.code == code)):
        raise DomainError(f"行政区划 {code} 已有执法机构", 409, {"code": ["已存在"]})
    parent = get_agency(parent_id, "parent_id")
    if parent is None and level_of(code) != "province":
        raise DomainError("市级、县级机构须选择上级机构", 422, {"parent_id": ["必选"]})
    if parent is not None and (code == parent.code or not code.startswith(region_prefix(parent.code))):
        raise DomainError(
            f"{code} 不在上级机构 {parent.name}（{parent.code}）的辖区内", 422, {"parent_id": ["辖区不符"]}
        )
    name = (name or "").strip() or agency_name(code)
    if len(name) > 128:
        raise DomainError("机构名称最多 128 个字符", 422, {"name": ["过长"]})
    agency = Agency(code=code, name=name, parent_id=parent.id if parent else None)
    db.session.add(agency)
    db.session.flush()
    moved = _gather(agency, parent)
    audit.record(
        "agency.create", "agency", agency.code, actor=actor, actor_user_id=actor_user_id,
        data={"name": name, "parent": parent.code if parent else None, **moved},
    )  # fmt: skip
    return agency


def _gather(agency: Agency, parent: Agency | None) -> dict:
    """The sites of the new agency's area left with its parent (or with none) join it; so do
    the users of its area in no agency yet. Returns how many moved."""
    area = region_prefix(agency.code)
    owner = Site.agency_id.is_(None) if parent is None else or_(Site.agency_id.is_(None), Site.agency_id == parent.id)
    sites = db.session.scalars(select(Site).where(owner, Site.region_code.startswith(area, autoescape=True))).all()
    for site in sites:
        site.agency_id = agency.id
    users = db.session.scalars(
        select(User).where(User.agency_id.is_(None), User.region_code.startswith(area, autoescape=True))
    ).all()
    for user in users:
        if (nearest := nearest_agency(user.region_code)) is not None and nearest.id == agency.id:
            user.agency_id = agency.id
    db.session.flush()
    return {"sites": [s.code for s in sites], "users": [u.username for u in users if u.agency_id == agency.id]}


def rename_agency(agency: Agency, name: str, *, actor: str = "cli", actor_user_id: int | None = None) -> None:
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写机构名称", 422, {"name": ["必填"]})
    if len(name) > 128:
        raise DomainError("机构名称最多 128 个字符", 422, {"name": ["过长"]})
    if name == agency.name:
        return
    before, agency.name = agency.name, name
    db.session.flush()
    audit.record(
        "agency.rename", "agency", agency.code, actor=actor, actor_user_id=actor_user_id,
        data={"before": before, "after": name},
    )  # fmt: skip


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    depth: int
    users: int
    sites: int

    @property
    def label(self) -> str:
        """For a select: indented by depth, so the tree shows."""
        return "　" * self.depth + self.agency.name


def agency_rows() -> list[AgencyRow]:
    """Every agency in tree order (each under its parent, by code), with its users and sites."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.code)).all()
    users = dict(db.session.execute(select(User.agency_id, func.count()).group_by(User.agency_id)).all())
    sites = dict(db.session.execute(select(Site.agency_id, func.count()).group_by(Site.agency_id)).all())
    children: dict[int | None, list[Agency]] = {}
    ids = {a.id for a in agencies}
    for a in agencies:
        children.setdefault(a.parent_id if a.parent_id in ids else None, []).append(a)
    out: list[AgencyRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for a in children.get(parent, ()):
            out.append(AgencyRow(a, depth, users.get(a.id, 0), sites.get(a.id, 0)))
            walk(a.id, depth + 1)

    walk(None, 0)
    return out


def agency_view(agency: Agency) -> dict:
    parent = db.session.get(Agency, agency.parent_id) if agency.parent_id else None
    return {
        "id": agency.id, "code": agency.code, "name": agency.name, "level": agency.level,
        "parent_id": agency.parent_id, "parent_code": parent.code if parent else None,
    }  # fmt: skip
