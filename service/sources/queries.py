"""Reads for source investigators (源头倒查专班): the source enterprises and their matters, within
the viewer's jurisdiction (service/review/jurisdiction.py: an investigator or a supervisor sees the
enterprises of their agency's area and below; None or an unscoped viewer: all)."""

from __future__ import annotations

from sqlalchemy import case, func, select

from models import Case, Enterprise, Loading, PartyMatter, User, Weighbridge
from models.matter import MATTER_DONE
from service.extensions import db

SOURCE_KINDS = ("source", "both")


def source_enterprises(q: str | None = None, limit: int = 500, viewer: User | None = None) -> list[dict]:
    """货运源头单位 in the registry, key sources first, with their matters open and in all."""
    matters = (
        select(
            PartyMatter.enterprise_id,
            func.count().label("total"),
            func.sum(case((PartyMatter.status.not_in(MATTER_DONE), 1), else_=0)).label("open"),
        )
        .where(PartyMatter.party == "source_enterprise")
        .group_by(PartyMatter.enterprise_id)
        .subquery()
    )
    stmt = (
        select(Enterprise, matters.c.total, matters.c.open)
        .outerjoin(matters, matters.c.enterprise_id == Enterprise.id)
        .where(Enterprise.kind.in_(SOURCE_KINDS))
        .order_by(Enterprise.key_source.desc(), Enterprise.name)
        .limit(limit)
    )
    if q:
        stmt = stmt.where(Enterprise.name.contains(q) | Enterprise.uscc.contains(q))
    if (area := _area(viewer)) is not None:
        stmt = stmt.where(area)
    return [
        {"enterprise": e, "matters": int(total or 0), "open_matters": int(open_ or 0)}
        for e, total, open_ in db.session.execute(stmt)
    ]


def _area(viewer: User | None):
    from service.review.jurisdiction import region_clause

    return region_clause(viewer, Enterprise.region_code)


def source_matters(open_only: bool = True, limit: int = 200, viewer: User | None = None) -> list[PartyMatter]:
    """The source enterprises' matters (一超四罚), open ones first: of the viewer's cases."""
    from service.review.jurisdiction import case_clause

    stmt = select(PartyMatter).where(PartyMatter.party == "source_enterprise")
    if (clause := case_clause(viewer)) is not None:
        stmt = stmt.where(PartyMatter.case_id.in_(select(Case.id).where(clause)))
    if open_only:
        stmt = stmt.where(PartyMatter.status.not_in(MATTER_DONE))
    return list(db.session.scalars(stmt.order_by(PartyMatter.opened_at.desc()).limit(limit)))


def weighbridge_rows(enterprise_id: int | None = None, viewer: User | None = None) -> list[dict]:
    last = (
        select(Loading.weighbridge_id, func.max(Loading.weighed_at).label("last"), func.count().label("n"))
        .group_by(Loading.weighbridge_id)
        .subquery()
    )
    stmt = (
        select(Weighbridge, Enterprise.name, last.c.last, last.c.n)
        .join(Enterprise, Enterprise.id == Weighbridge.enterprise_id)
        .outerjoin(last, last.c.weighbridge_id == Weighbridge.id)
        .order_by(Weighbridge.code)
    )
    if enterprise_id is not None:
        stmt = stmt.where(Weighbridge.enterprise_id == enterprise_id)
    if (area := _area(viewer)) is not None:
        stmt = stmt.where(area)
    return [
        {
            "id": w.id,
            "code": w.code,
            "name": w.name,
            "enterprise_id": w.enterprise_id,
            "enterprise_name": name,
            "calibrated_until": w.calibrated_until,
            "accuracy_class": w.accuracy_class,
            "last_weighed_at": last_at,
            "loadings": int(n or 0),
            "weighbridge": w,
        }  # fmt: skip
        for w, name, last_at, n in db.session.execute(stmt)
    ]
