"""The demo's registry records: enterprises, the regular trucks, their drivers, oversize permits."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from service.clock import CST
from service.rules import identity_number_is_valid, uscc_check_digit

from .data import (
    DEMO_DRIVERS,
    DEMO_ENTERPRISES,
    MAX_TOTAL_MASS,
    OVERSIZE_GROSS_KG,
    OVERSIZE_PLATE,
    OVERSIZE_ROUTE,
    ROUTE_OWNERS,
    SEED,
    DemoEnterprise,
)
from .traffic import make_pool, oversize_vehicle


def _uscc(e: DemoEnterprise) -> str:
    return e.uscc_body + uscc_check_digit(e.uscc_body)


def _identity(body17: str) -> str:
    return next(body17 + c for c in "0123456789X" if identity_number_is_valid(body17 + c))


def ensure_registry(now: datetime) -> Counter:
    """Enterprises, the regular trucks with their enterprise, drivers and oversize permits;
    through the registry's own operations, so a second load adds nothing."""
    from service.registry import operations as ops

    made: Counter[str] = Counter()

    def create(kind: str, fn, data: dict):
        try:
            row = fn(data)
        except ops.Duplicate:
            return
        made[kind] += 1
        if kind == "vehicles":
            ops.link_plate(row.plate)  # a demo loaded before the registry existed gets its links

    by_key = {e.key: e for e in DEMO_ENTERPRISES}
    for e in DEMO_ENTERPRISES:
        create("enterprises", ops.create_enterprise, _enterprise_data(e))
    for data in _vehicle_data(by_key):
        create("vehicles", ops.create_vehicle, data)
    for name, body, qualification, issued, owner in DEMO_DRIVERS:
        number = _identity(body)
        data = {"name": name, "identity_number": number, "licence_no": number, "qualification_no": qualification}
        data.update(qualification_first_issued=issued, enterprise_uscc=_uscc(by_key[owner]))
        create("drivers", ops.create_driver, data)
    for data in _permit_data(now):
        create("permits", ops.create_permit, data)
    return made


def _enterprise_data(e: DemoEnterprise) -> dict:
    return {
        "uscc": _uscc(e),
        "name": e.name,
        "kind": e.kind,
        "region_code": e.region_code,
        "address": e.address,
        "declared_fleet_size": e.declared_fleet_size,
        "licence_first_issued": e.licence_first_issued,
        "key_source": e.key_source,
    }


def _vehicle_data(by_key: dict[str, DemoEnterprise]) -> Iterator[dict]:
    """The regular trucks of the pool (the same plates the readings carry) and the oversize haul."""
    pool = make_pool(random.Random(SEED))  # the first draw of traffic.generate's generator: the same plates
    trucks = [(i, v, by_key[ROUTE_OWNERS[i % len(ROUTE_OWNERS)]]) for i, v in enumerate(pool)]
    trucks.append((len(pool), oversize_vehicle(), by_key["sp"]))
    for i, v, owner in trucks:
        total = MAX_TOTAL_MASS[(min(v.axles, 6), v.vtype)]
        yield {
            "plate": v.plate,
            "plate_color": v.color,
            "axle_count": v.axles,
            "vehicle_type": v.vtype,
            "max_total_mass_kg": total,
            "rated_load_kg": round(total * 0.62, -2),
            "owner_name": owner.name,
            "enterprise_uscc": _uscc(owner),
            "transport_cert_no": f"吉交运管{owner.region_code}{i + 1:06d}",
            "transport_cert_first_issued": date(2016 + i % 7, 1 + i % 12, 1 + i % 28),
        }


def _permit_data(now: datetime) -> list[dict]:
    today = now.astimezone(CST).date()
    year = today.year
    return [
        {
            "number": f"JL-DJ-{year}-0158",
            "plate": OVERSIZE_PLATE,
            "valid_from": today - timedelta(days=40),
            "valid_until": today + timedelta(days=50),
            "permitted_gross_kg": OVERSIZE_GROSS_KG,
            "permitted_length_mm": 20_000,
            "permitted_width_mm": 3_500,
            "permitted_height_mm": 4_500,
            "route": list(OVERSIZE_ROUTE),
        },
        {
            "number": f"JL-DJ-{year}-0163",
            "plate": make_pool(random.Random(SEED))[11].plate,  # a regular on the 吉林 run, for a coming haul
            "valid_from": today + timedelta(days=3),
            "valid_until": today + timedelta(days=33),
            "permitted_gross_kg": 72_000,
            "permitted_length_mm": 18_500,
            "permitted_width_mm": 3_000,
            "permitted_height_mm": 4_300,
            "route": ["JL-STA-01", "JL-TOL-01"],
        },
    ]
