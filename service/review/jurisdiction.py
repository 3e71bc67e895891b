"""Jurisdiction (管辖): which cases a user may see and act on, following the agency tree.

Agencies (执法机构, models/agency.py) form a tree — a province (220000) → city detachments
(220100) → county detachments (220104) — and users and sites belong to one. An officer sees and
acts on the cases of their own agency's sites; a supervisor on their agency's and every agency's
below it (any depth); a user of a root agency (the province) on all. Source investigators and the
police are scoped to their agency's area and below when they have an agency, and see all when
they have none (a provincial 专班, the police's own systems); administrators see all.

A source case (no site: an enterprise's exit weighing) belongs where the enterprise is: its
region code joins the agency of that code or the nearest one above, as a site does.

An officer or supervisor **without an agency** sees nothing once agencies are set up — an
account the administrator has not yet placed must not see every agency's cases. On a service
with no agency at all (a single detachment that never set them up) they see all, as they did
before agencies existed. The API and the consoles load a case through these checks, and the step
engine checks it again (service/procedure/engine.py): another agency's case is not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, not_, or_, select

from models import Agency, Case, Enterprise, Loading, Site, User

SCOPED_ROLES = ("officer", "supervisor")  # always scoped (no agency: nothing, once agencies exist)
AREA_ROLES = ("investigator", "police")  # scoped to their agency's area when they have one


def region_prefix(code: str) -> str:
    """220000 (a province) → 22, 220100 (a city) → 2201, 220102 (a county) → 220102."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


@dataclass(frozen=True)
class Scope:
    """What a scoped user covers: the sites of `agencies`, and the regions under one of
    `prefixes` but under none of `excluded` (an officer's: not their sub-agencies' areas)."""

    agencies: frozenset[int]
    prefixes: tuple[str, ...]
    excluded: tuple[str, ...] = ()

    def covers_region(self, code: str | None) -> bool:
        code = (code or "").strip()
        return (
            bool(code)
            and any(code.startswith(p) for p in self.prefixes)
            and not any(code.startswith(p) for p in self.excluded)
        )

    def region_clause(self, column) -> ColumnElement:
        if not self.prefixes:
            return false()
        inside = or_(*[column.startswith(p, autoescape=True) for p in self.prefixes])
        if not self.excluded:
            return inside
        return and_(inside, not_(or_(*[column.startswith(p, autoescape=True) for p in self.excluded])))


NOTHING = Scope(frozenset(), ())


def _tree() -> dict[int, tuple[str, int | None]]:
    from service.extensions import db

    return {
        i: (code, parent) for i, code, parent in db.session.execute(select(Agency.id, Agency.code, Agency.parent_id))
    }


def below(tree: dict[int, tuple[str, int | None]], agency_id: int) -> set[int]:
    """The agencies under `agency_id`, at any depth (not itself)."""
    children: dict[int | None, list[int]] = {}
    for i, (_, parent) in tree.items():
        children.setdefault(parent, []).append(i)
    out, todo = set(), list(children.get(agency_id, ()))
    while todo:
        i = todo.pop()
        if i not in out:
            out.add(i)
            todo.extend(children.get(i, ()))
    return out


def scope(user: User | None) -> Scope | None:
    """The user's scope; None: all cases."""
    if user is None or user.role not in (*SCOPED_ROLES, *AREA_ROLES):
        return None
    tree = _tree()
    if user.agency_id is None or user.agency_id not in tree:
        if user.role in AREA_ROLES or not tree:
            return None  # an investigator or police user without an agency; a service without agencies
        return NOTHING
    code, parent = tree[user.agency_id]
    if parent is None:
        return None  # the root (province) agency: all
    sub = below(tree, user.agency_id)
    if user.role == "officer":  # their own agency's sites; the region, less their sub-agencies' areas
        return Scope(frozenset({user.agency_id}), (region_prefix(code),), tuple(region_prefix(tree[i][0]) for i in sub))
    return Scope(frozenset({user.agency_id, *sub}), (region_prefix(code),))


def site_clause(user: User | None) -> ColumnElement | None:
    """The condition on `Site` for the sites whose cases `user` may see (None: all)."""
    s = scope(user)
    if s is None:
        return None
    return Site.agency_id.in_(sorted(s.agencies)) if s.agencies else false()


def region_clause(user: User | None, column) -> ColumnElement | None:
    """The condition on a region-code column (an enterprise's) for what `user` covers (None: all)."""
    s = scope(user)
    return None if s is None else s.region_clause(column)


def region_covers(user: User | None, region_code: str | None) -> bool:
    """Whether `user` covers this region (a source enterprise's). A region no agency holds, or
    an enterprise without a region, is only an unscoped or provincial user's."""
    s = scope(user)
    return s is None or s.covers_region(region_code)


def case_clause(user: User | None) -> ColumnElement | None:
    """The same condition on `Case`: its site's agency, or, for a source case, its enterprise's region."""
    s = scope(user)
    if s is None:
        return None
    sites = Case.site_id.in_(select(Site.id).where(Site.agency_id.in_(sorted(s.agencies)))) if s.agencies else false()
    sources = Case.loading_id.in_(
        select(Loading.id)
        .join(Enterprise, Enterprise.id == Loading.enterprise_id)
        .where(s.region_clause(Enterprise.region_code))
    )
    return or_(sites, and_(Case.site_id.is_(None), sources))


def may_see(user: User | None, case: Case) -> bool:
    s = scope(user)
    if s is None:
        return True
    from service.extensions import db

    if case.site_id is None:
        if case.loading_id is None:
            return False
        region = db.session.scalar(
            select(Enterprise.region_code)
            .join(Loading, Loading.enterprise_id == Enterprise.id)
            .where(Loading.id == case.loading_id)
        )
        return s.covers_region(region)
    return db.session.scalar(select(Site.agency_id).where(Site.id == case.site_id)) in s.agencies


def agency_code(agency_id: int) -> str | None:
    """The region code of an agency (the area it enforces in)."""
    from service.extensions import db

    return db.session.scalar(select(Agency.code).where(Agency.id == agency_id))
