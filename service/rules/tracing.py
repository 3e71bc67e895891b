"""倒查源头 (domain-rules §7.4): which registered source enterprise loaded the truck of a
confirmed roadside case — candidates scored 0–100 with their reasons in Chinese (CONTRACT §7).

The evidence used in practice (§7.4), strongest first:

* the enterprise's own exit weighing (出场称重) of the same plate shortly before the detection
  (`trace_window_hours`, default 24 h) — stronger when its gross agrees with the roadside
  weighing within both devices' errors, and when its recorded destination lies on the way;
* earlier detections of the plate at sites near the enterprise (`trace_near_km`), and the
  plate's history of sources confirmed before;
* what an officer or the station recorded — origin, cargo, waybill — matched against the
  enterprise's name, address and exit records.

The weights are a design choice (no rule prescribes them); they make one loading that agrees
with the road outweigh every weaker lead together, and keep a lead without a loading below the
score of a loading. Two candidates whose scores lie within `trace_competing_margin` are
reported as competing: neither is preferred. Pure: plain values in, candidates out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .settings import DEFAULT, RuleSettings

LOADING_IN_WINDOW = 55
LATEST_LOADING = 5
GROSS_AGREES = 20
ON_THE_WAY = 10
WAYBILL_MATCH = 30
NEAR_SIGHTING = 25
HISTORY_EACH, HISTORY_MAX = 10, 20
ORIGIN_NAME, ORIGIN_ADDRESS, CARGO_NAME = 25, 15, 10


@dataclass(frozen=True)
class Detection:
    """The roadside weighing the case stands on."""

    captured_at: datetime
    gross_kg: float
    tolerance_kg: float  # the road device's error (the case's deduction)
    places: tuple[str, ...] = ()  # place names of the detection site (name, city, district)
    origin: str | None = None  # recorded by an officer or the station
    cargo: str | None = None
    waybill_no: str | None = None


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class LoadingLead:
    loading_id: int
    enterprise_id: int
    weighed_at: datetime
    gross_kg: float
    destination: str | None = None
    waybill_no: str | None = None
    cargo: str | None = None


@dataclass(frozen=True)
class Sighting:
    """An earlier detection of the plate at a site with coordinates."""

    captured_at: datetime
    site_name: str
    latitude: float
    longitude: float


@dataclass
class Candidate:
    enterprise_id: int
    enterprise_name: str
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    loading_id: int | None = None

    def to_dict(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "enterprise_name": self.enterprise_name,
                "score": self.score, "reasons": list(self.reasons), "loading_id": self.loading_id}  # fmt: skip


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def gross_agrees(road_kg: float, road_tolerance_kg: float, exit_kg: float, settings: RuleSettings = DEFAULT) -> bool:
    """The two weighings of one trip agree when they differ by no more than both devices' errors
    (the road device's deduction, and `trace_weighbridge_mpe_pct` of the exit gross)."""
    exit_tolerance = exit_kg * settings.trace_weighbridge_mpe_pct / 100
    return abs(road_kg - exit_kg) <= road_tolerance_kg + exit_tolerance


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} 小时" if hours < 10 else f"{hours:.0f} 小时"


def _on_the_way(destination: str | None, places: tuple[str, ...]) -> str | None:
    if not destination:
        return None
    return next((p for p in places if p and p in destination), None)


def _loading_reasons(lead: LoadingLead, det: Detection, latest: bool, settings: RuleSettings) -> tuple[int, list[str]]:
    before = det.captured_at - lead.weighed_at
    score = LOADING_IN_WINDOW
    reasons = [f"检测前 {_hours(before)}，该单位出场地磅称重同一号牌车辆，毛重 {lead.gross_kg:,.0f} kg"]
    if latest:
        score += LATEST_LOADING
        reasons.append("为检测前该车最近一次出场称重")
    diff = det.gross_kg - lead.gross_kg
    if gross_agrees(det.gross_kg, det.tolerance_kg, lead.gross_kg, settings):
        score += GROSS_AGREES
        reasons.append(f"出场毛重与路面称重相差 {abs(diff):,.0f} kg，在两台设备误差之内，应为同一趟运输")
    else:
        more = "重" if diff > 0 else "轻"
        reasons.append(
            f"路面称重比出场毛重{more} {abs(diff):,.0f} kg，超出两台设备误差之和（途中可能加装或卸货，或出场数据不实）"
        )
    place = _on_the_way(lead.destination, det.places)
    if place:
        score += ON_THE_WAY
        reasons.append(f"出场记录的目的地“{lead.destination}”与检测点位所在“{place}”一致，检测点在其途中")
    if det.waybill_no and lead.waybill_no and det.waybill_no.strip() == lead.waybill_no.strip():
        score += WAYBILL_MATCH
        reasons.append(f"登记的运单号 {det.waybill_no} 与该单位出场记录一致")
    return score, reasons


def _text_reasons(src: Source, det: Detection) -> tuple[int, list[str]]:
    score, reasons = 0, []
    origin = (det.origin or "").strip()
    if origin and (origin in src.name or src.name in origin):
        score += ORIGIN_NAME
        reasons.append(f"登记的起运地“{origin}”与该单位名称相符")
    elif origin and src.address and (origin in src.address or src.address in origin):
        score += ORIGIN_ADDRESS
        reasons.append(f"登记的起运地“{origin}”与该单位地址“{src.address}”相符")
    cargo = (det.cargo or "").strip()
    if cargo and cargo in src.name:
        score += CARGO_NAME
        reasons.append(f"登记的货物“{cargo}”与该单位经营的货物相符")
    return score, reasons


def score_candidates(
    det: Detection,
    sources: list[Source],
    loadings: list[LoadingLead],
    sightings: list[Sighting],
    history: dict[int, int],
    settings: RuleSettings = DEFAULT,
) -> list[Candidate]:
    """Every source enterprise with any lead, highest score first (ties: by name). `loadings` are
    the plate's exit weighings; those outside the window before the detection are ignored.
    `history` counts the plate's earlier cases confirmed to each enterprise."""
    by_id = {s.id: s for s in sources}
    window = timedelta(hours=settings.trace_window_hours)
    in_window = [
        x for x in loadings if timedelta(0) <= det.captured_at - x.weighed_at <= window and x.enterprise_id in by_id
    ]
    latest = max(in_window, key=lambda x: x.weighed_at, default=None)
    found: dict[int, Candidate] = {}

    def cand(src: Source) -> Candidate:
        return found.setdefault(src.id, Candidate(src.id, src.name))

    for lead in sorted(in_window, key=lambda x: x.weighed_at, reverse=True):
        c = cand(by_id[lead.enterprise_id])
        if c.loading_id is not None:
            continue  # the enterprise's latest loading in the window speaks for it
        points, reasons = _loading_reasons(lead, det, lead is latest, settings)
        c.score, c.loading_id = c.score + points, lead.loading_id
        c.reasons.extend(reasons)
    _add_sightings(det, sources, sightings, cand, settings)
    for enterprise_id, n in history.items():
        if enterprise_id in by_id and n > 0:
            c = cand(by_id[enterprise_id])
            c.score += min(HISTORY_MAX, HISTORY_EACH * n)
            c.reasons.append(f"该车此前 {n} 起案件经倒查确认由该单位装载")
    for src in sources:
        points, reasons = _text_reasons(src, det)
        if points:
            c = cand(src)
            c.score += points
            c.reasons.extend(reasons)
    out = [c for c in found.values() if c.score > 0]
    for c in out:
        c.score = min(100, c.score)
    return sorted(out, key=lambda c: (-c.score, c.enterprise_name))


def _add_sightings(det, sources, sightings, cand, settings) -> None:
    horizon = timedelta(hours=settings.trace_sighting_hours)
    recent = [s for s in sightings if timedelta(0) < det.captured_at - s.captured_at <= horizon]
    for src in sources:
        if src.latitude is None or src.longitude is None:
            continue
        near = [(distance_km(s.latitude, s.longitude, src.latitude, src.longitude), s) for s in recent]
        near = [(d, s) for d, s in near if d <= settings.trace_near_km]
        if not near:
            continue
        d, s = min(near, key=lambda x: x[0])
        c = cand(src)
        c.score += NEAR_SIGHTING
        before = _hours(det.captured_at - s.captured_at)
        c.reasons.append(f"检测前 {before}，该车在距该单位 {d:.1f} 公里的“{s.site_name}”被检测到")


def assessment(candidates: list[Candidate], settings: RuleSettings = DEFAULT) -> tuple[str, str]:
    """How the candidates stand: ('none' | 'one' | 'competing' | 'clear', a sentence in Chinese)."""
    if not candidates:
        return (
            "none",
            "未找到任何线索：无出场称重、无源头附近的检测记录、无登记的起运地或运单，须现场调查或登记为无法查明",
        )
    if len(candidates) == 1:
        return "one", f"仅有一条线索（{candidates[0].enterprise_name}，{candidates[0].score} 分），须核实后确认"
    first, second = candidates[0], candidates[1]
    if first.score - second.score <= settings.trace_competing_margin:
        return "competing", (
            f"{first.enterprise_name}（{first.score} 分）与{second.enterprise_name}（{second.score} 分）得分接近，"
            "两者均有可能，须核实后确认，不得径行认定"
        )
    return "clear", f"{first.enterprise_name}（{first.score} 分）明显高于其他线索（次高 {second.score} 分）"
