"""What the dashboard (统计分析) shows: the period's figures, their trend, shares and the sites
side by side, all from the rollups (service/stats/queries.py), ready for the charts and for
the tables behind them."""

from __future__ import annotations

from datetime import date, timedelta

from service.stats.definitions import BY_KEY, tooltip
from service.stats.queries import SiteRef, grouped, grouped_with_total
from service.stats.targets import against_targets

HEADLINE = (
    "checked", "overlimit", "overlimit_rate_pct", "baidunwang", "unloaded_tonnes", "cases_opened",
    "cases_decided", "fines_decided_yuan", "fines_collected_yuan", "source_enterprises_penalised",
    "turned_back", "police_referrals",
)  # fmt: skip
BANDS = ("over_lt55t", "over_55_100t", "over_ge100t")
AXLES = ("over_ax2", "over_ax3", "over_ax4", "over_ax5", "over_ax6", "over_ax7p")
RATES = ("overlimit_rate_pct", "overlimit_rate_excl10_pct", "overlimit_rate_excl20_pct")
TABLE = (
    "checked", "overlimit", "overlimit_rate_pct", "overlimit_rate_excl10_pct", "overlimit_rate_excl20_pct",
    "baidunwang", "over_gt100", "unloaded_vehicles", "unloaded_tonnes", "transferred_vehicles", "turned_back",
    "cases_opened", "cases_confirmed", "cases_dismissed", "cases_decided", "warnings_decided", "fines_decided_yuan",
    "fines_collected_yuan", "source_enterprises_penalised", "police_referrals", "police_outcomes",
)  # fmt: skip


def trend_unit(start: date, end: date) -> str:
    days = (end - start).days + 1
    return "day" if days <= 62 else "week" if days <= 200 else "month"


def column(key: str) -> dict:
    f = BY_KEY[key]
    return {"key": key, "label": f.label, "unit": f.unit, "tip": tooltip(key)}


def dashboard(start: date, end: date, sites: list[SiteRef]) -> dict:
    unit = trend_unit(start, end)
    by_site, total = grouped_with_total(start, end, sites, "site")
    trend = grouped(start, end, sites, unit)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "unit": unit,
        "headline": [{**column(k), "value": total[k]} for k in HEADLINE],
        "trend": {
            "columns": [column(k) for k in ("checked", "overlimit", *RATES, "baidunwang")],
            "rows": [
                {"label": g["label"], **{k: g[k] for k in ("checked", "overlimit", *RATES, "baidunwang")}}
                for g in trend
            ],
        },
        "bands": [{**column(k), "value": total[k]} for k in BANDS],
        "axles": [{**column(k), "value": total[k]} for k in AXLES],
        "sites": {
            "columns": [column(k) for k in TABLE],
            "rows": [{"label": g["label"], "code": g["key"], **{k: g[k] for k in TABLE}} for g in by_site],
        },
        "definitions": [column(k) for k in TABLE + BANDS + AXLES if k in BY_KEY],
        "targets": against_targets(sites, {g["key"]: g["overlimit_rate_pct"] for g in by_site}),
    }


def default_period(today: date) -> tuple[date, date]:
    """The last 30 days up to yesterday-inclusive today."""
    return today - timedelta(days=29), today
