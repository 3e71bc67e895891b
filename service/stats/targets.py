"""Targets (控制目标) per road class or site, as the jurisdiction sets them (RuleSettings:
stats_overlimit_target_pct_by_road_class / _by_site / stats_expressway_sites), and each site's
over-limit rate against its target."""

from __future__ import annotations

from service.config import rule_settings
from service.rules.settings import RuleSettings
from service.stats.queries import SiteRef

ROAD_CLASS_LABELS = {"expressway_entrance": "高速公路入口", "expressway": "高速公路", "ordinary": "普通公路"}


def road_class(site: SiteRef, settings: RuleSettings) -> str:
    if site.kind == "toll_entry":
        return "expressway_entrance"
    return "expressway" if site.code in settings.stats_expressway_sites else "ordinary"


def target_for(site: SiteRef, settings: RuleSettings | None = None) -> tuple[float | None, str]:
    """The site's over-limit rate target in %, and where it comes from."""
    settings = settings or rule_settings()
    own = dict(settings.stats_overlimit_target_pct_by_site).get(site.code)
    if own is not None:
        return own, "点位目标"
    cls = road_class(site, settings)
    return dict(settings.stats_overlimit_target_pct_by_road_class).get(cls), ROAD_CLASS_LABELS[cls]


def against_targets(sites: list[SiteRef], rates: dict[str, float | None]) -> list[dict]:
    """Each site's rate, its target and whether it is met (None: no target or no traffic)."""
    settings = rule_settings()
    out = []
    for s in sites:
        target, basis = target_for(s, settings)
        rate = rates.get(s.code)
        met = None if target is None or rate is None else rate <= target
        out.append({"site_code": s.code, "site_name": s.name, "rate_pct": rate, "target_pct": target,
                    "basis": basis, "met": met})  # fmt: skip
    return out
