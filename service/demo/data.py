"""The demo's constant tables: sites, logins, traffic shapes, enterprises, drivers, the oversize haul."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

SEED = 20261123
REGIONS = {"220100": "长春市", "220200": "吉林市", "220300": "四平市"}
# The agencies (执法机构): the province's bureau, a detachment per city, 梨树县's 大队 under 四平's
# (its non-site point is in that county). Parents first.
DEMO_AGENCIES = (
    ("220000", None),
    ("220100", "220000"),
    ("220200", "220000"),
    ("220300", "220000"),
    ("220322", "220300"),
)


class DemoUser(NamedTuple):
    username: str
    password: str
    role: str
    display_name: str
    region_code: str | None


# Documented in the README: keep the two in step.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "demo-admin-2026", "admin", "赵志远", None),
    DemoUser("supervisor", "demo-supervisor-2026", "supervisor", "刘建华", "220000"),  # the province: all
    DemoUser("officer1", "demo-officer1-2026", "officer", "张丽", "220100"),
    DemoUser("officer2", "demo-officer2-2026", "officer", "王海涛", "220300"),
    DemoUser("officer3", "demo-officer3-2026", "officer", "李春雨", "220322"),  # 梨树县大队
    DemoUser("investigator", "demo-investigator-2026", "investigator", "孙立新", "220000"),  # the province's 专班
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
    # A point that went live during the demo period, this share of the period in (None: all along).
    live_after_share: float | None = None


DEMO_SITES: tuple[DemoSite, ...] = (
    DemoSite("CC-WIM-01", "G12珲乌高速 长春西 非现场执法点", "wim", "220100", 650, "5", 240, 0.15, "A"),
    DemoSite("CC-TOL-01", "G1京哈高速 长春北收费站 高速公路入口", "toll_entry", "220100", 550, None, None, 0.25, "A"),
    # Its verification lapsed 10 days ago: its over-limit records cannot support a penalty.
    DemoSite("JL-WIM-01", "G202 吉林 九站 非现场执法点", "wim", "220200", 450, "5", -10, 0.0, "B"),
    DemoSite("JL-STA-01", "G302 吉林 孤店子 超限检测站", "static", "220200", 200, None, None, 0.5, "B"),
    DemoSite("JL-TOL-01", "G12珲乌高速 吉林西收费站 高速公路入口", "toll_entry", "220200", 400, None, None, 0.25, "B"),
    DemoSite("SP-WIM-01", "G303 四平 梨树 非现场执法点", "wim", "220322", 500, "5", 180, 0.0, "C"),
    DemoSite("SP-STA-01", "G102 四平 超限检测站", "static", "220300", 250, "0.5", 300, 0.5, "C"),
    # A new non-site point: trucks overloaded as before when it went live, fewer once word got
    # round (its over-limit rate falls over its first week: the dashboard's 威慑效果).
    DemoSite(
        "CC-WIM-02",
        "G102 长春 合隆 非现场执法点（新建）",
        "wim",
        "220100",
        400,
        "5",
        360,
        0.0,
        "A",
        live_after_share=0.4,
    ),
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
# Which enterprise runs the regular trucks of each pool route (see traffic.make_pool).
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
