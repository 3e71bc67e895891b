"""Jurisdiction (管辖): which cases an officer or a supervisor may see and act on.

Agencies (执法机构) are identified by the administrative-division code of the area they enforce
in, which carries the hierarchy itself: a province (220000) → a city detachment (220100) → a
county detachment (220102). Users and sites belong to one agency by that code. An officer sees
and acts on the cases of their own agency's sites; a supervisor on their agency's and those of
the agencies below it; a user of a province, or with no agency, on all. Administrators, source
investigators and the police are scoped by their own pages (the police see only what is referred
to them). The API and the console load a case through these checks: another agency's case is not
found (404), so its steps cannot be reached either."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from models import Case, Site, User

SCOPED_ROLES = ("officer", "supervisor")


def region_prefix(code: str) -> str:
    """220000 (a province) → 22, 220100 (a city) → 2201, 220102 (a county) → 220102."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def site_clause(user: User | None) -> ColumnElement | None:
    """The condition on `Site.region_code` for the sites whose cases `user` may see (None: all)."""
    if user is None or user.role not in SCOPED_ROLES or not user.region_code:
        return None
    prefix = region_prefix(user.region_code)
    if len(prefix) <= 2:  # a provincial user: the whole province
        return Site.region_code.startswith(prefix, autoescape=True)
    if user.role == "officer":  # their own agency's sites
        return Site.region_code == user.region_code
    return Site.region_code.startswith(prefix, autoescape=True)  # a supervisor: theirs and below


def region_covers(user: User | None, region_code: str | None) -> bool:
    """`site_clause` for one region code (a source enterprise's): an officer their agency's area,
    a supervisor theirs and below, a provincial or unscoped user all. An enterprise without a
    region is no scoped user's."""
    if user is None or user.role not in SCOPED_ROLES or not user.region_code:
        return True
    code, prefix = (region_code or "").strip(), region_prefix(user.region_code)
    if user.role == "officer" and len(prefix) > 2:
        return code == user.region_code
    return bool(code) and code.startswith(prefix)


def case_clause(user: User | None) -> ColumnElement | None:
    """The same condition on `Case`, for queries that do not join the site."""
    clause = site_clause(user)
    if clause is None:
        return None
    return Case.site_id.in_(select(Site.id).where(clause))


def may_see(user: User | None, case: Case) -> bool:
    clause = site_clause(user)
    if clause is None:
        return True
    from service.extensions import db

    if case.site_id is None and case.loading_id is not None:  # a source case: where the enterprise is
        from models import Enterprise, Loading

        region = db.session.scalar(
            select(Enterprise.region_code)
            .join(Loading, Loading.enterprise_id == Enterprise.id)
            .where(Loading.id == case.loading_id)
        )
        return region_covers(user, region)
    return db.session.scalar(select(Site.id).where(Site.id == case.site_id, clause)) is not None
