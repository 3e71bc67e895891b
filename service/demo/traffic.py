"""The demo's readings, generated: anonymous traffic, the regulars, 百吨王 and the oversize haul.

Pure: plain values in, reading dicts out (what a device would post); nothing touches the database.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from service.clock import CST
from service.rules import ReadingFacts
from service.rules.limits import mass_limit
from service.rules.versions import version_for

from .data import (
    AXLE_MIX,
    AXLE_SHARES,
    BAIDUNWANG,
    DEMO_SITES,
    HOURLY,
    JILIN_LETTERS,
    LEGAL_KG,
    LENGTH_MM,
    NIGHT,
    OTHER_PROVINCES,
    OVER_BY_HOUR,
    OVER_SHARE,
    OVERSIZE_GROSS_KG,
    OVERSIZE_PLATE,
    OVERSIZE_ROUTE,
    POOL_OFFENDERS,
    POOL_SIZE,
    SEED,
    SERIAL_LETTERS,
    SITES_BY_CODE,
    WEEKDAY,
    DemoSite,
)


@dataclass(frozen=True)
class Vehicle:
    plate: str | None
    color: str
    axles: int
    vtype: str
    single_drive_axle: bool | None
    offender: bool = False
    sites: tuple[str, ...] = ()


def oversize_vehicle() -> Vehicle:
    return Vehicle(OVERSIZE_PLATE, "yellow", 6, "combination", False, sites=OVERSIZE_ROUTE)


def generate(now: datetime, days: int) -> Iterator[tuple[datetime, dict]]:
    """Every record in time order, day by day (local dates), with deterministic ids."""
    rng = random.Random(SEED)
    new_rng = random.Random(SEED + 1)  # the new points' own: the rest of the demo stays as it was
    pool = make_pool(rng)
    start = now - timedelta(days=days)
    giants = _giants(rng, _plan_baidunwang(rng, now, days), pool)
    giants += _oversize_passes(now, days)
    day = start.astimezone(CST).date()
    while day <= now.astimezone(CST).date():
        lo = max(start, datetime.combine(day, time(0), tzinfo=CST))
        hi = min(now, datetime.combine(day + timedelta(days=1), time(0), tzinfo=CST))
        events = _background(rng, lo, hi) + _pool_passes(rng, pool, lo, hi) + _new_points(new_rng, start, now, lo, hi)
        events += [e for e in giants if lo <= e[0] < hi]
        yield from _records(rng, day, sorted(events, key=lambda e: (e[0], e[1])))
        day += timedelta(days=1)


def _records(rng: random.Random, day: date, events: list) -> Iterator[tuple[datetime, dict]]:
    numbers: Counter[str] = Counter()
    for when, code, vehicle, gross in events:
        numbers[code] += 1
        record_id = f"{code}-{day:%Y%m%d}-{numbers[code]:06d}"
        yield when, _reading(rng, SITES_BY_CODE[code], record_id, when, vehicle, gross)


# Traffic ----------------------------------------------------------------------------


def _poisson(rng: random.Random, lam: float) -> int:
    if lam < 30:  # Knuth: exact for the small hourly counts
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def _background(rng: random.Random, lo: datetime, hi: datetime) -> list:
    """Anonymous traffic at every site, hour by hour."""
    events = []
    hour = lo.astimezone(CST).replace(minute=0, second=0, microsecond=0)
    per_hour = sum(HOURLY)
    while hour < hi:
        factor = WEEKDAY[hour.weekday()] * HOURLY[hour.hour] / per_hour
        for site in DEMO_SITES:
            if site.live_after_share is not None:
                continue  # a new point's traffic has its own generator (`_new_points`)
            for _ in range(_poisson(rng, site.daily * factor)):
                when = hour + timedelta(seconds=rng.randrange(3600))
                vehicle = _random_vehicle(rng, site)
                gross = _gross(rng, vehicle, when, OVER_SHARE[vehicle.axles] * OVER_BY_HOUR[hour.hour])
                if lo <= when < hi:
                    events.append((when, site.code, vehicle, gross))
        hour += timedelta(hours=1)
    return events


def _new_points(rng: random.Random, start: datetime, now: datetime, lo: datetime, hi: datetime) -> list:
    """Traffic at the points that went live during the period: from their first day, with
    four times the usual over-limit share at first, falling to the usual one over a week."""
    events = []
    per_hour = sum(HOURLY)
    for site in DEMO_SITES:
        if site.live_after_share is None:
            continue
        live = (
            (start + (now - start) * site.live_after_share)
            .astimezone(CST)
            .replace(hour=0, minute=0, second=0, microsecond=0)
        )
        hour = max(lo, live).astimezone(CST).replace(minute=0, second=0, microsecond=0)
        while hour < hi:
            days_live = (hour - live).total_seconds() / 86400
            deterred = 1 + 3 * max(0.0, 1 - days_live / 7)
            factor = WEEKDAY[hour.weekday()] * HOURLY[hour.hour] / per_hour
            for _ in range(_poisson(rng, site.daily * factor)):
                when = hour + timedelta(seconds=rng.randrange(3600))
                vehicle = _random_vehicle(rng, site)
                share = OVER_SHARE[vehicle.axles] * OVER_BY_HOUR[hour.hour] * deterred
                gross = _gross(rng, vehicle, when, share)
                if lo <= when < hi:
                    events.append((when, site.code, vehicle, gross))
            hour += timedelta(hours=1)
    return events


def _pool_passes(rng: random.Random, pool: list[Vehicle], lo: datetime, hi: datetime) -> list:
    """The regulars: the same ~40 trucks day after day, some of them habitual overloaders."""
    events = []
    day = lo.astimezone(CST).date()
    for v in pool:
        for _ in range(rng.choices((0, 1, 2), (0.3, 0.5, 0.2))[0]):
            hour = rng.choices(range(24), NIGHT if v.offender else HOURLY)[0]
            when = datetime.combine(day, time(hour), tzinfo=CST) + timedelta(seconds=rng.randrange(3600))
            gross = _gross(rng, v, when, 0.4 if v.offender else 0.0)
            if lo <= when < hi:
                events.append((when, rng.choice(v.sites), v, gross))
    return events


def _plan_baidunwang(rng: random.Random, now: datetime, days: int) -> list:
    """百吨王 at night on earlier days, so even a 3-day load has all of them."""
    today = now.astimezone(CST).date()
    planned = []
    for code, axles, vtype, hour, pool_index in BAIDUNWANG:
        back = rng.randrange(1, days) if days > 1 else 0
        when = datetime.combine(today - timedelta(days=back), time(hour), tzinfo=CST)
        when = min(when + timedelta(seconds=rng.randrange(3600)), now - timedelta(minutes=5))
        planned.append((when, code, axles, vtype, pool_index))
    return planned


def _giants(rng: random.Random, planned: list, pool: list[Vehicle]) -> list:
    out = []
    for when, code, axles, vtype, pool_index in planned:
        if pool_index is not None:
            vehicle = pool[pool_index]
        else:  # one of them hides its plate (遮挡号牌), as they often do
            plate = None if code == "JL-STA-01" else _plate(rng, SITES_BY_CODE[code])
            vehicle = Vehicle(plate, "yellow", axles, vtype, False if axles >= 6 else None)
        gross = rng.randrange(100_000, 136_000, 10)
        out.append((when, code, vehicle, gross))
    return out


def _oversize_passes(now: datetime, days: int) -> list:
    """The permitted 大件 haul: every third night along its route within the permitted gross,
    once off the route and once heavier than permitted (its own generator: the rest stays as it was)."""
    rng = random.Random(SEED + 1)
    today = now.astimezone(CST).date()
    vehicle = oversize_vehicle()

    def at(back: int, hour: int) -> datetime:
        when = datetime.combine(today - timedelta(days=back), time(hour), tzinfo=CST)
        return min(when + timedelta(seconds=rng.randrange(3600)), now - timedelta(minutes=5))

    passes = []
    for back in range(1, days + 1, 3):
        for hour, code in ((21, OVERSIZE_ROUTE[0]), (22, OVERSIZE_ROUTE[1]), (23, OVERSIZE_ROUTE[2])):
            passes.append((at(back, hour), code, vehicle, rng.randrange(62_000, 78_000, 10)))
    passes.append((at(1, 3), "JL-WIM-01", vehicle, rng.randrange(62_000, 78_000, 10)))  # 未按许可路线行驶
    passes.append((at(2, 2), OVERSIZE_ROUTE[1], vehicle, OVERSIZE_GROSS_KG + 4_560))  # 车证不符
    return passes


# Vehicles ---------------------------------------------------------------------------


def _plate(rng: random.Random, site: DemoSite) -> str:
    r = rng.random()
    if r < 0.55:
        head = "吉" + site.plate_letter
    elif r < 0.80:
        head = "吉" + rng.choice(JILIN_LETTERS)
    else:
        province, letters, _ = rng.choices(OTHER_PROVINCES, [p[2] for p in OTHER_PROVINCES])[0]
        head = province + rng.choice(letters)
    shape = rng.random()
    digits = "".join(rng.choice("0123456789") for _ in range(5))
    if shape < 0.6:
        return head + digits
    if shape < 0.9:
        return head + rng.choice(SERIAL_LETTERS) + digits[1:]
    return head + rng.choice(SERIAL_LETTERS) + rng.choice(SERIAL_LETTERS) + digits[2:]


def _configuration(rng: random.Random) -> tuple[int, str, bool | None]:
    axles = rng.choices([a for a, _ in AXLE_MIX], [w for _, w in AXLE_MIX])[0]
    if axles == 2:
        vtype = "truck"
    elif axles in (3, 4):
        vtype = "truck" if rng.random() < (0.8 if axles == 3 else 0.65) else "combination"
    else:
        vtype = "combination"
    sda = None
    if axles >= 6:
        sda = rng.choices((True, False, None), (0.08, 0.80, 0.12))[0]
    return axles, vtype, sda


def _random_vehicle(rng: random.Random, site: DemoSite) -> Vehicle:
    axles, vtype, sda = _configuration(rng)
    if rng.random() < 0.01:  # a large new-energy truck: 5 digits + D/F, yellow-green plate
        plate = f"吉{site.plate_letter}{rng.randrange(100_000):05d}{rng.choice('DF')}"
        return Vehicle(plate, "yellow_green", axles, vtype, sda)
    return Vehicle(_plate(rng, site), "yellow", axles, vtype, sda)


def make_pool(rng: random.Random) -> list[Vehicle]:
    """Regular trucks on fixed runs; the first few overload again and again."""
    routes = (
        ("CC-WIM-01", "CC-TOL-01"),
        ("JL-WIM-01", "JL-STA-01", "JL-TOL-01"),
        ("SP-WIM-01", "SP-STA-01"),
        ("CC-WIM-01", "SP-WIM-01", "SP-STA-01"),
        ("JL-WIM-01", "CC-WIM-01"),
    )
    pool = []
    for i in range(POOL_SIZE):
        route = routes[i % len(routes)]
        offender = i < POOL_OFFENDERS
        axles, vtype, sda = (6, "combination", False) if i < 2 else _configuration(rng)
        plate = _plate(rng, SITES_BY_CODE[route[0]])
        pool.append(Vehicle(plate, "yellow", axles, vtype, sda, offender, route))
    return pool


def _gross(rng: random.Random, v: Vehicle, when: datetime, over_share: float) -> int:
    """A legal weight, or with probability `over_share` one over the legal limit."""
    if rng.random() >= over_share:
        lo, hi = LEGAL_KG[(min(v.axles, 6), v.vtype)]
        if v.single_drive_axle:
            hi = 45_000  # the 46 t row applies
        return int(rng.triangular(lo, hi, lo + 0.7 * (hi - lo))) // 10 * 10
    facts = ReadingFacts(when, v.axles, 1.0, v.vtype, v.single_drive_axle)
    limit = mass_limit(facts, version_for(when.astimezone(CST).date())).limit_kg
    band = rng.random()
    if band < 0.15:  # just over: inside a WIM device's error, only a static scale flags it
        pct = rng.uniform(0.5, 5)
    elif band < 0.75:
        pct = rng.uniform(6, 20)
    elif band < 0.96:
        pct = rng.uniform(20, 35)
    else:
        pct = rng.uniform(35, 80)
    return int(limit * (1 + pct / 100)) // 10 * 10


# One record ---------------------------------------------------------------------------


def _axle_weights(rng: random.Random, v: Vehicle, gross: int) -> list[int]:
    shares = AXLE_SHARES[(min(v.axles, 6), v.vtype)]
    raw = [s * rng.uniform(0.92, 1.08) for s in shares]
    total = sum(raw)
    weights = [int(gross * s / total) // 10 * 10 for s in raw[:-1]]
    return [*weights, gross - sum(weights)]  # sums to the gross exactly


def _observed_plate(rng: random.Random, v: Vehicle) -> tuple[str | None, str | None]:
    """What the camera read: mostly the plate, ~1 % nothing, now and then a misread."""
    r = rng.random()
    if v.plate == OVERSIZE_PLATE:
        # Read every time, so the demo always shows its permit findings (the draw above is
        # still made: the rest of the data stays as it was).
        return v.plate, v.color
    if v.plate is None or r < 0.01:
        return None, None
    if r < 0.0105:
        misread = rng.choice((v.plate[:-1], v.plate[:2] + "O" + v.plate[3:], v.plate[:2] + "I" + v.plate[3:]))
        return misread, v.color
    return v.plate, v.color


def _reading(rng: random.Random, site: DemoSite, record_id: str, when: datetime, v: Vehicle, gross: int) -> dict:
    plate, color = _observed_plate(rng, v)
    item = {
        "site_code": site.code,
        "record_id": record_id,
        "captured_at": when.isoformat(timespec="seconds"),
        "plate": plate,
        "plate_color": color,
        "axle_count": v.axles,
        "vehicle_type": None if rng.random() < 0.03 else v.vtype,
        "gross_weight_kg": gross,
        "axle_weights_kg": _axle_weights(rng, v, gross),
        "lane": rng.choices((1, 2, 3), (0.3, 0.55, 0.15))[0] if site.kind != "static" else rng.choice((1, 2)),
        "single_drive_axle": v.single_drive_axle,
    }
    if site.kind == "wim":
        item["speed_kmh"] = round(min(90.0, max(20.0, rng.gauss(65, 12))), 1)
    elif site.kind == "toll_entry":
        item["speed_kmh"] = round(rng.uniform(3, 12), 1)  # low-speed weighing in the entrance lane
    if rng.random() < site.dims_share:
        item.update(_dimensions(rng, v))
    return item


def _dimensions(rng: random.Random, v: Vehicle) -> dict:
    lo, hi = LENGTH_MM[min(v.axles, 6)]
    over_height = rng.random() < 0.004  # a load stacked too high
    return {
        "length_mm": rng.randrange(lo, hi, 10),
        "width_mm": rng.randrange(2_440, 2_550, 5),
        "height_mm": rng.randrange(4_210, 4_480, 10) if over_height else rng.randrange(2_900, 3_990, 10),
    }
