"""Figures over a period, from the daily rollups only (never from the readings).

`summary` adds up the site-days of the chosen sites between two Beijing dates, both ends
included; `grouped` does the same per site, region, day, week, month, quarter or year. Which
sites a user may see: `visible_sites` (an officer sees the sites of their region).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from models import Case, PartyMatter, Site, SiteDailyCaseStats, SiteDailyStats, User
from service.clock import CST, local_date
from service.extensions import db
from service.review.jurisdiction import region_prefix, site_clause
from service.stats.rollup import READING_COLUMNS

READING_SUMS = ("checked", "overlimit", "baidunwang", "unreadable_plates", *READING_COLUMNS, "cases_opened")
CASE_SUMS = (
    "confirmed", "dismissed", "decided", "warnings", "fines", "fines_yuan", "collected_yuan", "unloaded",
    "unloaded_kg", "transferred", "transferred_kg", "turned_back", "source_penalties", "referrals", "police_outcomes",
)  # fmt: skip
GROUPS = ("site", "region", "day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class SiteRef:
    id: int
    code: str
    name: str
    kind: str
    region_code: str | None


def in_region(site_region: str | None, region: str) -> bool:
    return bool(site_region) and site_region.startswith(region_prefix(region))


def visible_sites(user: User | None, site: str | None = None, region: str | None = None) -> list[SiteRef]:
    """The sites whose figures `user` may see, narrowed to one site or region. Officers and
    supervisors see their jurisdiction's sites (service/review/jurisdiction.py: an officer their
    agency's, a supervisor theirs and those below, the province all; investigators and the police
    their agency's area); on a service without agencies an officer with a region sees the sites
    in it. Everyone else who may read figures sees all."""
    stmt = select(Site.id, Site.code, Site.name, Site.kind, Site.region_code).order_by(Site.code)
    clause = site_clause(user)
    rows = [SiteRef(*r) for r in db.session.execute(stmt if clause is None else stmt.where(clause))]
    if user is not None and user.role == "officer" and user.region_code and user.agency_id is None:
        rows = [s for s in rows if in_region(s.region_code, user.region_code)]
    if site:
        rows = [s for s in rows if s.code == site]
    if region:
        rows = [s for s in rows if in_region(s.region_code, region)]
    return rows


def _utc_range(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), tzinfo=CST), datetime.combine(end + timedelta(days=1), time(0), tzinfo=CST)


def bucket(day: date, by: str) -> str:
    if by == "day":
        return day.isoformat()
    if by == "week":
        monday = day - timedelta(days=day.weekday())
        return monday.isoformat()
    if by == "month":
        return f"{day:%Y-%m}"
    if by == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _sums(model, names: Iterable[str], start: date, end: date, site_ids: list[int], by: str):
    """Rows (key, *sums) from one rollup: key is the site id (site, region) or the day."""
    key = model.site_id if by in ("site", "region") else model.day
    stmt = select(key, *[func.coalesce(func.sum(getattr(model, n)), 0) for n in names]).where(
        model.day >= start, model.day <= end
    )
    if site_ids is not None:
        stmt = stmt.where(model.site_id.in_(site_ids))
    return db.session.execute(stmt.group_by(key)).all()


def _source_enterprises(start: date, end: date, site_ids: list[int] | None) -> list[tuple[int, datetime, int]]:
    """(site id, decided at, enterprise id) of source-enterprise penalties decided here."""
    lo, hi = _utc_range(start, end)
    stmt = (
        select(Case.site_id, PartyMatter.decided_at, PartyMatter.enterprise_id)
        .join(Case, Case.id == PartyMatter.case_id)
        .where(
            PartyMatter.party == "source_enterprise",
            PartyMatter.decided_at >= lo,
            PartyMatter.decided_at < hi,
            PartyMatter.authority == "agency",
            PartyMatter.decision_kind.is_not(None),
        )
    )
    if site_ids is not None:
        stmt = stmt.where(Case.site_id.in_(site_ids))
    return db.session.execute(stmt).all()


def figures(raw: dict, enterprises: set) -> dict:
    """The published figures from the rollups' sums (definitions: service/stats/definitions.py)."""
    checked = raw.get("checked", 0)

    def rate(n: int):
        return round(n * 100 / checked, 2) if checked else None

    out = {n: int(raw.get(n, 0)) for n in ("checked", "overlimit", "baidunwang", "unreadable_plates", *READING_COLUMNS)}
    out.update(
        overlimit_rate_pct=rate(out["overlimit"]),
        overlimit_rate_excl10_pct=rate(out["over_gt10"]),
        overlimit_rate_excl20_pct=rate(out["over_gt20"]),
        unloaded_vehicles=int(raw.get("unloaded", 0)),
        unloaded_tonnes=round(raw.get("unloaded_kg", 0) / 1000, 3),
        transferred_vehicles=int(raw.get("transferred", 0)),
        transferred_tonnes=round(raw.get("transferred_kg", 0) / 1000, 3),
        turned_back=int(raw.get("turned_back", 0)),
        cases_opened=int(raw.get("cases_opened", 0)),
        cases_confirmed=int(raw.get("confirmed", 0)),
        cases_dismissed=int(raw.get("dismissed", 0)),
        cases_decided=int(raw.get("decided", 0)),
        warnings_decided=int(raw.get("warnings", 0)),
        fines_decided=int(raw.get("fines", 0)),
        fines_decided_yuan=int(raw.get("fines_yuan", 0)),
        fines_collected_yuan=int(raw.get("collected_yuan", 0)),
        source_penalties=int(raw.get("source_penalties", 0)),
        source_enterprises_penalised=len(enterprises),
        police_referrals=int(raw.get("referrals", 0)),
        police_outcomes=int(raw.get("police_outcomes", 0)),
    )
    return out


def grouped(start: date, end: date, sites: list[SiteRef], by: str) -> list[dict]:
    """Figures per group, in the group's order; groups without any site-day are left out,
    except sites (every visible site is listed)."""
    return grouped_with_total(start, end, sites, by)[0]


def grouped_with_total(start: date, end: date, sites: list[SiteRef], by: str) -> tuple[list[dict], dict]:
    """The groups and the figures of all of them together (the same sums, added up here)."""
    site_ids = [s.id for s in sites]
    by_id = {s.id: s for s in sites}
    raw: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    labels: dict[str, str] = {}

    def key_of(k) -> str | None:
        if by == "site":
            return by_id[k].code if k in by_id else None
        if by == "region":
            return by_id[k].region_code or "—" if k in by_id else None
        return bucket(k if isinstance(k, date) else date.fromisoformat(str(k)), by)

    for model, names in ((SiteDailyStats, READING_SUMS), (SiteDailyCaseStats, CASE_SUMS)):
        for k, *values in _sums(model, names, start, end, site_ids, by):
            g = key_of(k)
            if g is None:
                continue
            for name, value in zip(names, values, strict=True):
                raw[g][name] += value
    enterprises: dict[str, set] = defaultdict(set)
    for site_id, decided_at, enterprise_id in _source_enterprises(start, end, site_ids):
        g = key_of(site_id if by in ("site", "region") else local_date(decided_at))
        if g is not None:
            enterprises[g].add(enterprise_id)
            raw[g]  # noqa: B018 - the group exists even with nothing else in it
    if by == "site":
        for s in sites:
            labels[s.code] = s.name
            raw[s.code]  # noqa: B018
    out = []
    total: dict = defaultdict(float)
    for g in sorted(raw):
        out.append({"key": g, "label": labels.get(g, group_label(g, by)), **figures(raw[g], enterprises[g])})
        for name, value in raw[g].items():
            total[name] += value
    return out, figures(total, set().union(*enterprises.values()))


def group_label(key: str, by: str) -> str:
    if by == "week":
        return f"{key} 起一周"
    if by == "month":
        y, m = key.split("-")
        return f"{y}年{int(m)}月"
    if by == "quarter":
        y, q = key.split("-Q")
        return f"{y}年第{q}季度"
    if by == "year":
        return f"{key}年"
    return key


def summary(start: date, end: date, sites: list[SiteRef]) -> dict:
    """All figures over the period for these sites."""
    raw: dict = defaultdict(float)
    for model, names in ((SiteDailyStats, READING_SUMS), (SiteDailyCaseStats, CASE_SUMS)):
        stmt = select(*[func.coalesce(func.sum(getattr(model, n)), 0) for n in names]).where(
            model.day >= start, model.day <= end, model.site_id.in_([s.id for s in sites])
        )
        for name, value in zip(names, db.session.execute(stmt).one(), strict=True):
            raw[name] += value
    enterprises = {e for _, _, e in _source_enterprises(start, end, [s.id for s in sites])}
    return figures(raw, enterprises)


def site_figures(since: date) -> list:
    """(code, name, kind, checked, over-limit, 百吨王) per site since `since` (the home page's table)."""
    return db.session.execute(
        select(
            Site.code,
            Site.name,
            Site.kind,
            func.coalesce(func.sum(SiteDailyStats.checked), 0),
            func.coalesce(func.sum(SiteDailyStats.overlimit), 0),
            func.coalesce(func.sum(SiteDailyStats.baidunwang), 0),
        )
        .outerjoin(SiteDailyStats, (SiteDailyStats.site_id == Site.id) & (SiteDailyStats.day >= since))
        .group_by(Site.id, Site.code, Site.name, Site.kind)
        .order_by(Site.code)
    ).all()
