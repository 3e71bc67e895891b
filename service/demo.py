"""The demo data set (`flask --app wsgi demo load`): what a newcomer learns from.

Seven weighing points in three Jilin cities, one login per role, a registry (transport
and source enterprises, the regular trucks and their drivers, oversize permits) and
about 30 days of weighing records. The records go through the real ingest path
(`ingest_batch` → classification → cases → outbox → daily figures), so what the
console shows is what the service itself decided, never hand-made rows. The registry is
made first, with the service's own operations, so that ingest applies the permits and
the follow-up work links cases to vehicles and enterprises as it would live.

Everything is generated from one fixed seed: two loads at the same `now` produce
the same records. A second load changes nothing.
"""

from __future__ import annotations

import logging
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import func, select

from models import Case, Reading, Site, User
from models.site import SITE_KIND_LABELS
from models.user import ROLE_LABELS
from service.admin.operations import create_site, create_user
from service.extensions import db
from service.ingest.operations import CST, ingest_batch
from service.rules import ReadingFacts, identity_number_is_valid, uscc_check_digit
from service.rules.limits import mass_limit
from service.rules.versions import version_for

log = logging.getLogger(__name__)

SEED = 20261123
BATCH = 1000
ACTOR = "demo"
ALREADY_LOADED = "演示数据已存在，未作改动"
REGIONS = {"220100": "长春市", "220200": "吉林市", "220300": "四平市"}


class DemoUser(NamedTuple):
    username: str
    password: str
    role: str
    display_name: str
    region_code: str | None


# Documented in the README: keep the two in step.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "demo-admin-2026", "admin", "赵志远", None),
    DemoUser("supervisor", "demo-supervisor-2026", "supervisor", "刘建华", None),
    DemoUser("officer1", "demo-officer1-2026", "officer", "张丽", "220100"),
    DemoUser("officer2", "demo-officer2-2026", "officer", "王海涛", "220300"),
    DemoUser("investigator", "demo-investigator-2026", "investigator", "孙立新", "220200"),
    DemoUser("police", "demo-police-2026", "police", "陈晓东", None),
)


@dataclass(frozen=True)
class DemoSite:
    code: str
    name: str
    kind: str
    region_code: str
    daily: int  # mean trucks per day
    accuracy_class: str | None
    # Days from `now` to the last valid day of the verification; negative = lapsed.
    calibration_days: int | None
    dims_share: float  # share of records that carry outline dimensions
    plate_letter: str  # the local authority letter (吉A 长春, 吉B 吉林, 吉C 四平)


DEMO_SITES: tuple[DemoSite, ...] = (
    DemoSite("CC-WIM-01", "G12珲乌高速 长春西 非现场执法点", "wim", "220100", 650, "5", 240, 0.15, "A"),
    DemoSite("CC-TOL-01", "G1京哈高速 长春北收费站 高速公路入口", "toll_entry", "220100", 550, None, None, 0.25, "A"),
    # Its verification lapsed 10 days ago: its over-limit records cannot support a penalty.
    DemoSite("JL-WIM-01", "G202 吉林 九站 非现场执法点", "wim", "220200", 450, "5", -10, 0.0, "B"),
    DemoSite("JL-STA-01", "G302 吉林 孤店子 超限检测站", "static", "220200", 200, None, None, 0.5, "B"),
    DemoSite("JL-TOL-01", "G12珲乌高速 吉林西收费站 高速公路入口", "toll_entry", "220200", 400, None, None, 0.25, "B"),
    DemoSite("SP-WIM-01", "G303 四平 梨树 非现场执法点", "wim", "220300", 500, "5", 180, 0.0, "C"),
    DemoSite("SP-STA-01", "G102 四平 超限检测站", "static", "220300", 250, "0.5", 300, 0.5, "C"),
)
SITES_BY_CODE = {s.code: s for s in DEMO_SITES}

# Trucks by hour of day (local time): busy by day, thin at night.
HOURLY = (
    0.45,
    0.40,
    0.35,
    0.35,
    0.40,
    0.55,
    0.80,
    1.05,
    1.25,
    1.35,
    1.40,
    1.35,
    1.25,
    1.30,
    1.40,
    1.40,
    1.35,
    1.25,
    1.10,
    0.95,
    0.85,
    0.75,
    0.65,
    0.55,
)
# Overloaders prefer the night, when fewer officers are about.
OVER_BY_HOUR = tuple(1.6 if h < 6 else 1.3 if h >= 22 else 0.85 for h in range(24))
NIGHT = tuple(3.0 if h < 6 else 1.5 if h >= 21 else 0.5 for h in range(24))
WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.85)  # Monday … Sunday

AXLE_MIX = ((2, 0.30), (3, 0.10), (4, 0.10), (5, 0.08), (6, 0.42))
OVER_SHARE = {2: 0.02, 3: 0.04, 4: 0.06, 5: 0.04, 6: 0.045}
# Legal gross ranges (kg), roughly what loaded and part-loaded trucks weigh.
LEGAL_KG = {
    (2, "truck"): (8_000, 17_000),
    (3, "truck"): (12_000, 24_000),
    (3, "combination"): (13_000, 26_000),
    (4, "truck"): (15_000, 30_000),
    (4, "combination"): (18_000, 35_000),
    (5, "combination"): (18_000, 42_000),
    (6, "combination"): (25_000, 48_000),
}
# Share of the gross on each axle, front to back.
AXLE_SHARES = {
    (2, "truck"): (0.35, 0.65),
    (3, "truck"): (0.26, 0.37, 0.37),
    (3, "combination"): (0.30, 0.35, 0.35),
    (4, "truck"): (0.18, 0.18, 0.32, 0.32),
    (4, "combination"): (0.20, 0.30, 0.25, 0.25),
    (5, "combination"): (0.14, 0.22, 0.22, 0.21, 0.21),
    (6, "combination"): (0.12, 0.18, 0.18, 0.173, 0.173, 0.174),
}
LENGTH_MM = {2: (6_800, 9_800), 3: (8_500, 11_900), 4: (9_500, 16_000), 5: (15_000, 17_800), 6: (15_500, 17_950)}

JILIN_LETTERS = "ABCDEFGHJ"  # 长春 吉林 四平 辽源 通化 白山 白城 延边 松原
OTHER_PROVINCES = (("辽", "ABCDMK", 0.40), ("黑", "ABEM", 0.30), ("蒙", "GDE", 0.20), ("冀", "ABC", 0.10))
SERIAL_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # GA 36-2018: no I, no O

# 百吨王 (gross ≥ 100 t): (site, axles, vehicle type, local hour, offender pool index or None).
BAIDUNWANG = (
    ("CC-WIM-01", 6, "combination", 2, 0),
    ("JL-WIM-01", 6, "combination", 1, None),
    ("SP-WIM-01", 6, "combination", 3, 1),
    ("SP-STA-01", 6, "combination", 4, None),
    ("JL-STA-01", 4, "truck", 0, None),
    ("SP-WIM-01", 6, "combination", 23, 0),
    ("CC-TOL-01", 5, "combination", 5, None),
    ("JL-WIM-01", 6, "combination", 2, 1),
)
POOL_SIZE, POOL_OFFENDERS = 40, 8


# Registry ---------------------------------------------------------------------------


class DemoEnterprise(NamedTuple):
    key: str
    uscc_body: str  # the first 17 characters of the 统一社会信用代码; the check character is computed
    name: str
    kind: str
    region_code: str
    declared_fleet_size: int | None
    licence_first_issued: date | None
    address: str
    key_source: bool = False


DEMO_ENTERPRISES: tuple[DemoEnterprise, ...] = (
    DemoEnterprise(
        "cc",
        "91220100MA17Q8R3X",
        "长春顺通物流有限公司",
        "transport",
        "220100",
        12,
        date(2019, 4, 16),
        "长春市绿园区西新镇工业园 8 号",
    ),
    DemoEnterprise(
        "jl",
        "91220200MA0Y4K7L2",
        "吉林市鑫达运输有限公司",
        "transport",
        "220200",
        10,
        date(2020, 9, 1),
        "吉林市船营区九站街 126 号",
    ),
    DemoEnterprise(
        "sp",
        "91220300MA14C6W9T",
        "四平市宏远汽车运输有限公司",
        "transport",
        "220300",
        24,
        date(2018, 6, 20),
        "四平市铁西区北河路 55 号",
    ),
    DemoEnterprise(
        "park",
        "91220100MA0Y8D2N5",
        "长春东北亚物流园有限公司",
        "both",
        "220100",
        8,
        date(2021, 3, 10),
        "长春市宽城区兰家镇物流园区",
    ),
    DemoEnterprise(
        "sand",
        "92220211MA0X5P3R1",
        "吉林市丰满区恒基砂石料场",
        "source",
        "220200",
        None,
        None,
        "吉林市丰满区旺起镇松花江沿岸",
        key_source=True,
    ),
    DemoEnterprise(
        "quarry",
        "91220302MA0Y1H6F4",
        "四平市铁东区金石采石有限公司",
        "source",
        "220300",
        None,
        None,
        "四平市铁东区山门镇",
        key_source=True,
    ),
)
# Which enterprise runs the regular trucks of each pool route (see _make_pool).
ROUTE_OWNERS = ("cc", "jl", "sp", "sp", "park")
# (name, identity number without its check character, 从业资格证号, first issued, enterprise)
DEMO_DRIVERS = (
    ("张建军", "22010219780315123", "220100100231", date(2016, 5, 12), "cc"),
    ("李国庆", "22020419811001357", "220200100518", date(2018, 3, 2), "jl"),
    ("王海峰", "22030219850622246", "220300100077", date(2015, 11, 20), "sp"),
    ("刘长青", "22030319790108468", "220300100342", date(2019, 7, 8), "sp"),
    ("赵德明", "22010619870419539", "220100100890", date(2021, 4, 15), "park"),
)
# A 大件 (oversize, indivisible load) haul with a permit: along its route within the
# permitted figures it opens no case; off the route or over the figures it does.
OVERSIZE_PLATE = "吉CD8866"
OVERSIZE_ROUTE = ("SP-STA-01", "SP-WIM-01", "CC-WIM-01")
OVERSIZE_GROSS_KG = 80_000
# 最大允许总质量 (kg) of each configuration, for the registry's vehicle records.
MAX_TOTAL_MASS = {
    (2, "truck"): 18_000,
    (3, "truck"): 25_000,
    (3, "combination"): 27_000,
    (4, "truck"): 31_000,
    (4, "combination"): 36_000,
    (5, "combination"): 43_000,
    (6, "combination"): 49_000,
}


@dataclass(frozen=True)
class Vehicle:
    plate: str | None
    color: str
    axles: int
    vtype: str
    single_drive_axle: bool | None
    offender: bool = False
    sites: tuple[str, ...] = ()


@dataclass
class Tally:
    accepted: int = 0
    rejected: int = 0
    overlimit: int = 0
    baidunwang: int = 0
    cases: int = 0
    permitted: int = 0  # over the limit, but on an oversize permit's route within its figures
    decided_plate: str | None = None  # the regular overloader taken through the procedure
    decided: int = 0


def load_demo(now: datetime | None = None, days: int = 30) -> str:
    """Load the demo data set (idempotent) and commit; returns a Chinese summary."""
    now = now or datetime.now(UTC)
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if now > datetime.now(UTC) + timedelta(minutes=5):
        raise ValueError("now must not lie in the future: ingest refuses future records")
    if days < 1:
        raise ValueError("days must be at least 1")
    sites_made = _ensure_sites(now)
    users_made = _ensure_users()
    registry_made = _ensure_registry(now)  # before readings: ingest applies the permits
    db.session.commit()
    tally = None
    if not _has_readings():
        tally = _load_readings(now, days)
    if not sites_made and not users_made and not registry_made and tally is None:
        return "\n".join([ALREADY_LOADED, *_login_lines()])
    return _summary(sites_made, users_made, registry_made, tally)


# Sites and users ------------------------------------------------------------------


def _ensure_sites(now: datetime) -> list[str]:
    existing = set(db.session.scalars(select(Site.code).where(Site.code.in_(SITES_BY_CODE))))
    today = now.astimezone(CST).date()
    made = []
    for s in DEMO_SITES:
        if s.code in existing:
            continue
        until = today + timedelta(days=s.calibration_days) if s.calibration_days is not None else None
        create_site(s.code, s.name, s.kind, s.region_code, until, s.accuracy_class, actor=ACTOR)
        made.append(s.code)
    return made


def _ensure_users() -> list[str]:
    names = [u.username for u in DEMO_USERS]
    existing = set(db.session.scalars(select(User.username).where(User.username.in_(names))))
    made = []
    for u in DEMO_USERS:
        if u.username in existing:
            continue
        create_user(u.username, u.role, u.password, display_name=u.display_name, region_code=u.region_code, actor=ACTOR)
        made.append(u.username)
    return made


def _uscc(e: DemoEnterprise) -> str:
    return e.uscc_body + uscc_check_digit(e.uscc_body)


def _identity(body17: str) -> str:
    return next(body17 + c for c in "0123456789X" if identity_number_is_valid(body17 + c))


def _ensure_registry(now: datetime) -> Counter:
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
    pool = _make_pool(random.Random(SEED))  # the first draw of _generate's generator: the same plates
    trucks = [(i, v, by_key[ROUTE_OWNERS[i % len(ROUTE_OWNERS)]]) for i, v in enumerate(pool)]
    trucks.append((len(pool), _oversize_vehicle(), by_key["sp"]))
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


def _oversize_vehicle() -> Vehicle:
    return Vehicle(OVERSIZE_PLATE, "yellow", 6, "combination", False, sites=OVERSIZE_ROUTE)


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
            "plate": _make_pool(random.Random(SEED))[11].plate,  # a regular on the 吉林 run, for a coming haul
            "valid_from": today + timedelta(days=3),
            "valid_until": today + timedelta(days=33),
            "permitted_gross_kg": 72_000,
            "permitted_length_mm": 18_500,
            "permitted_width_mm": 3_000,
            "permitted_height_mm": 4_300,
            "route": ["JL-STA-01", "JL-TOL-01"],
        },
    ]


def _demo_site_ids() -> list[int]:
    return list(db.session.scalars(select(Site.id).where(Site.code.in_(SITES_BY_CODE))))


def _has_readings() -> bool:
    stmt = select(Reading.id).where(Reading.site_id.in_(_demo_site_ids())).limit(1)
    return db.session.scalar(stmt) is not None


# Readings: through the real ingest path -------------------------------------------


def _load_readings(now: datetime, days: int) -> Tally:
    """Ingest in batches of 1000 (commit each), then run the follow-up work."""
    from service.outbox import drain

    tally = Tally()
    batch: list[tuple[datetime, dict]] = []
    for when, item in _generate(now, days):
        batch.append((when, item))
        if len(batch) == BATCH:
            _ingest(batch, now, tally)
            batch = []
    if batch:
        _ingest(batch, now, tally)
    drain(max_batches=10_000)
    db.session.commit()
    tally.decided_plate, tally.decided = _decide_a_regular()
    db.session.commit()
    return tally


def _decide_a_regular() -> tuple[str | None, int]:
    """The demo officer and supervisor take the busiest regular overloader's four oldest cases
    through the whole procedure (driver, review, notice, waiver, decision, approval), so the
    屡犯 list, the flags on its later cases and the decision documents have something to show.
    Every step is the service's own operation, audited as any officer's would be."""
    from models import Driver
    from models.case import REVIEW_CHECKS
    from service.procedure import ANY_VERSION, run_step
    from service.procedure.matter_ops import case_proposal

    officer = db.session.scalar(select(User).where(User.username == "officer1"))
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    pending = (Case.status == "pending_review", Case.penalty_usable.is_(True), Case.enterprise_id.is_not(None))
    plates = db.session.scalars(
        select(Case.plate)
        .where(*pending)
        .group_by(Case.plate)
        .having(func.count() >= 4)
        .order_by(func.count().desc(), Case.plate)  # ties by plate: the same regular on every database
    ).all()
    if officer is None or supervisor is None:
        return None, 0
    for plate in plates:  # the busiest regular with four cases a fine or a warning fits
        cases = db.session.scalars(select(Case).where(*pending, Case.plate == plate).order_by(Case.captured_at)).all()
        if sum(case_proposal(c).kind in ("fine", "warning") for c in cases) >= 4:
            break
    else:
        return None, 0
    driver = db.session.scalar(
        select(Driver).where(Driver.enterprise_id == cases[0].enterprise_id).order_by(Driver.id)
    ) or db.session.scalar(select(Driver).order_by(Driver.id))
    decided = 0

    def step(name: str, case: Case, who: User, **params) -> None:
        run_step(name, case, who, params, expected_version=ANY_VERSION)

    for case in cases:
        if driver is not None:
            step("driver", case, officer, driver_id=driver.id)
        if decided == 4:
            continue  # the later ones wait in the queue, flagged 屡犯
        proposal = case_proposal(case)
        if proposal.kind not in ("fine", "warning"):
            continue
        step("confirm", case, officer, checklist={key: True for key in REVIEW_CHECKS})
        step("notice", case, officer)
        step("statement", case, officer, kind="waiver", text="当事人当场表示放弃陈述申辩（演示）", channel="officer")
        step("decision", case, officer, kind=proposal.kind, amount_yuan=proposal.proposed_yuan)
        step("approve_decision", case, supervisor)
        decided += 1
    if driver is not None:
        # The same driver made the trips a lapsed verification bars from a penalty: recorded on
        # those too, every case of the regular waiting for review carries the driver's 屡犯 flag.
        rest = select(Case).where(Case.plate == plate, Case.status == "pending_review", Case.driver_id.is_(None))
        for case in db.session.scalars(rest.order_by(Case.captured_at)).all():
            step("driver", case, officer, driver_id=driver.id)
    return plate, decided


def _ingest(batch: list[tuple[datetime, dict]], now: datetime, tally: Tally) -> None:
    # The batch arrives a minute after its last record, as from a live device, so
    # received_at, opened_at and the 90-day deadlines spread out like real ones.
    received = min(batch[-1][0] + timedelta(minutes=1), now)
    out = ingest_batch([item for _, item in batch], source="api", now=received)
    db.session.commit()
    tally.accepted += out.accepted
    tally.rejected += out.rejected
    for r in out.results:
        if r["status"] == "rejected":
            log.warning("demo: record rejected: %s", r["errors"])
            continue
        tally.overlimit += bool(r["overlimit"])
        tally.baidunwang += bool(r["baidunwang"])
        tally.cases += r["case_id"] is not None
        tally.permitted += r.get("permit_status") == "permitted"
    if tally.accepted // 10_000 != (tally.accepted - out.accepted) // 10_000:
        log.info("演示数据：已写入 %d 条检测记录", tally.accepted)


def _generate(now: datetime, days: int) -> Iterator[tuple[datetime, dict]]:
    """Every record in time order, day by day (local dates), with deterministic ids."""
    rng = random.Random(SEED)
    pool = _make_pool(rng)
    start = now - timedelta(days=days)
    giants = _giants(rng, _plan_baidunwang(rng, now, days), pool)
    giants += _oversize_passes(now, days)
    day = start.astimezone(CST).date()
    while day <= now.astimezone(CST).date():
        lo = max(start, datetime.combine(day, time(0), tzinfo=CST))
        hi = min(now, datetime.combine(day + timedelta(days=1), time(0), tzinfo=CST))
        events = _background(rng, lo, hi) + _pool_passes(rng, pool, lo, hi)
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
            for _ in range(_poisson(rng, site.daily * factor)):
                when = hour + timedelta(seconds=rng.randrange(3600))
                vehicle = _random_vehicle(rng, site)
                gross = _gross(rng, vehicle, when, OVER_SHARE[vehicle.axles] * OVER_BY_HOUR[hour.hour])
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
    vehicle = _oversize_vehicle()

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


def _make_pool(rng: random.Random) -> list[Vehicle]:
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


# Summary ----------------------------------------------------------------------------


def _login_lines() -> list[str]:
    return ["演示账号（用户名 / 密码 / 角色）："] + [
        f"{u.username} / {u.password} / {ROLE_LABELS[u.role]}" for u in DEMO_USERS
    ]


def _summary(sites_made: list[str], users_made: list[str], registry_made: Counter, tally: Tally | None) -> str:
    kinds = Counter(SITES_BY_CODE[c].kind for c in sites_made)
    kind_text = "、".join(f"{label} {kinds[k]}" for k, label in SITE_KIND_LABELS.items() if kinds[k])
    regions = "、".join(REGIONS[c] for c in sorted({SITES_BY_CODE[c].region_code for c in sites_made}))
    lines = ["演示数据已加载："]
    lines.append(f"点位：新建 {len(sites_made)} 个" + (f"（{regions}；{kind_text}）" if kind_text else "（已存在）"))
    lines.append(f"用户：新建 {len(users_made)} 个")
    labels = (
        ("enterprises", "企业", "家"),
        ("vehicles", "车辆", "辆"),
        ("drivers", "驾驶人", "名"),
        ("permits", "大件运输许可", "件"),
    )
    lines.append("登记簿：新建 " + "、".join(f"{label} {registry_made[k]} {unit}" for k, label, unit in labels))
    if tally is None:
        lines.append("检测记录：已存在，未重复生成")
    else:
        lines.extend(_reading_lines(tally))
    return "\n".join(lines + _login_lines())


def _reading_lines(t: Tally) -> list[str]:
    rate = t.overlimit / t.accepted * 100 if t.accepted else 0.0
    unusable = db.session.scalar(
        select(func.count()).select_from(Case).where(Case.site_id.in_(_demo_site_ids()), Case.penalty_usable.is_(False))
    )
    lines = [f"检测记录：接收 {t.accepted} 条，超限 {t.overlimit} 条（{rate:.1f}%），百吨王 {t.baidunwang} 条"]
    if t.rejected:
        lines.append(f"另有 {t.rejected} 条被拒收（见日志）")
    lines.append(f"案件：新立 {t.cases} 件待审核，其中 {unusable} 件因设备检定过期等原因不能作为处罚依据")
    if t.permitted:
        lines.append(f"另有 {t.permitted} 条超限记录持大件运输许可在许可路线上通行，未立案")
    if t.decided:
        lines.append(
            f"办案示例：{t.decided_plate} 的 {t.decided} 件案件已走完告知、决定程序（见屡犯名单），其后的案件带屡犯标记"
        )
    return lines
