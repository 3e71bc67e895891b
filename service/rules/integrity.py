"""Weighbridge integrity (地磅数据核查): does a source enterprise's exit weighbridge tell the truth?

Two signs, each with the trips behind it (design choices, thresholds are settings):

* **疑似称重数据不实** — the weighbridge let trucks out under the limit which the road then
  weighed over it, by more than both devices' errors together, on at least
  `integrity_min_trips` trips making up at least `integrity_min_share_pct` % of the trips where
  the two weighings could be matched. A single such trip can be a truck loaded again on the way;
  a consistent gap is the weighbridge (cf. Liaocheng's daily checks for falsified source data,
  domain-rules §7.4).
* **称重设备离线** — no loading for `integrity_silent_hours` while trucks that loaded there were
  detected on the road at least `integrity_silent_min_sightings` times since.

Pure: plain values in, flags out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .settings import DEFAULT, RuleSettings
from .tracing import gross_agrees


@dataclass(frozen=True)
class Trip:
    """One truck's exit weighing and its next roadside weighing within the trace window."""

    loading_id: int
    reading_id: int
    plate: str
    weighed_at: datetime
    captured_at: datetime
    exit_gross_kg: float
    exit_overlimit: bool
    road_gross_kg: float
    road_tolerance_kg: float
    road_overlimit: bool


@dataclass
class Flag:
    code: str  # under_reported | silent
    label: str
    text: str
    trips: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "text": self.text, "trips": self.trips}


def _gap_trip(t: Trip, settings: RuleSettings) -> bool:
    heavier = t.road_gross_kg > t.exit_gross_kg
    return (not t.exit_overlimit and t.road_overlimit and heavier
            and not gross_agrees(t.road_gross_kg, t.road_tolerance_kg, t.exit_gross_kg, settings))  # fmt: skip


def under_reporting(trips: list[Trip], settings: RuleSettings = DEFAULT) -> Flag | None:
    gaps = [t for t in trips if _gap_trip(t, settings)]
    if not trips or len(gaps) < settings.integrity_min_trips:
        return None
    share = 100 * len(gaps) / len(trips)
    if share < settings.integrity_min_share_pct:
        return None
    mean_gap = sum(t.road_gross_kg - t.exit_gross_kg for t in gaps) / len(gaps)
    text = (
        f"{len(trips)} 趟可比对的运输中有 {len(gaps)} 趟（{share:.0f}%）出场称重未超限、路面称重超限，"
        f"路面平均重 {mean_gap:,.0f} kg，超出两台设备误差之和"
    )
    rows = [{"loading_id": t.loading_id, "reading_id": t.reading_id, "plate": t.plate,
             "weighed_at": t.weighed_at.isoformat(), "captured_at": t.captured_at.isoformat(),
             "exit_gross_kg": t.exit_gross_kg, "road_gross_kg": t.road_gross_kg} for t in gaps]  # fmt: skip
    return Flag("under_reported", "疑似称重数据不实", text, rows)


def silence(
    last_loading_at: datetime | None,
    sightings_since: list[tuple[datetime, str, str]],
    now: datetime,
    settings: RuleSettings = DEFAULT,
) -> Flag | None:
    """`sightings_since`: (captured_at, plate, site name) of the weighbridge's trucks detected on
    the road after its last loading."""
    if last_loading_at is None:
        return None  # never reported: no trucks of its own to watch (shown as 无记录 on the list)
    hours = (now - last_loading_at).total_seconds() / 3600
    if hours < settings.integrity_silent_hours or len(sightings_since) < settings.integrity_silent_min_sightings:
        return None
    plates = sorted({p for _, p, _ in sightings_since})
    text = (
        f"已 {hours:.0f} 小时无出场称重记录，其间曾在该地磅称重的 {len(plates)} 辆车在路面被检测 "
        f"{len(sightings_since)} 次"
    )
    rows = [{"captured_at": at.isoformat(), "plate": p, "site": s} for at, p, s in sightings_since[:50]]
    return Flag("silent", "称重设备离线", text, rows)
