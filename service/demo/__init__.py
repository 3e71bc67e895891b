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

The package: `data` (the constant tables: sites, users, enterprises, drivers, traffic
shapes), `traffic` (the readings, generated), `registry` (the registry records),
`procedure` (a regular overloader taken through the case procedure) and, here, the
loading itself: sites, users, ingest and the summary.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from models import Case, Reading, Site, User
from models.site import SITE_KIND_LABELS
from models.user import ROLE_LABELS
from service.admin.operations import create_site, create_user
from service.clock import CST
from service.extensions import db
from service.ingest.operations import ingest_batch
from service.referrals.demo import demo_referrals

from .data import DEMO_AGENCIES, DEMO_SITES, DEMO_USERS, REGIONS, SITES_BY_CODE, DemoUser
from .procedure import _close_a_baidunwang, _decide_a_regular, _list_an_enterprise
from .registry import ensure_registry
from .sources import demo_sources
from .traffic import generate

__all__ = ["ALREADY_LOADED", "DEMO_USERS", "DemoUser", "load_demo"]

log = logging.getLogger(__name__)

BATCH = 1000
ACTOR = "demo"
ALREADY_LOADED = "演示数据已存在，未作改动"
# Enforcement certificate numbers (执法证号) of the demo's officers (made up, in the usual form).
DEMO_CERTIFICATES = {
    "supervisor": "吉交执22010001", "officer1": "吉交执22010017", "officer2": "吉交执22030023",
    "officer3": "吉交执22032205",
}  # fmt: skip


@dataclass
class Tally:
    accepted: int = 0
    rejected: int = 0
    overlimit: int = 0
    baidunwang: int = 0
    cases: int = 0
    permitted: int = 0  # over the limit, but on an oversize permit's route within its figures
    decided_plate: str | None = None  # the regular overloader taken through the procedure
    closed_case: str | None = None  # a 百吨王 case taken through every party's matter to closure
    listed_enterprise: str | None = None  # its enterprise, under 挂牌督办
    police_package: int | None = None  # referrals exported in a package the police acknowledged
    sources: dict | None = None  # weighbridges, loadings, source cases, traced cases (service/demo/sources.py)
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
    _ensure_agencies()  # before sites and users: they join them
    sites_made = _ensure_sites(now)
    users_made = _ensure_users()
    registry_made = ensure_registry(now)  # before readings: ingest applies the permits
    db.session.commit()
    tally = None
    if not _has_readings():
        tally = _load_readings(now, days)
    if not sites_made and not users_made and not registry_made and tally is None:
        return "\n".join([ALREADY_LOADED, *_login_lines()])
    return _summary(sites_made, users_made, registry_made, tally)


# Sites and users ------------------------------------------------------------------


def _ensure_agencies() -> None:
    from models import Agency
    from service.admin.agencies import create_agency

    ids = dict(db.session.execute(select(Agency.code, Agency.id)).all())
    for code, parent in DEMO_AGENCIES:
        if code not in ids:
            ids[code] = create_agency(code, parent_id=ids.get(parent), actor=ACTOR).id


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
        user = create_user(
            u.username, u.role, u.password, display_name=u.display_name, region_code=u.region_code, actor=ACTOR
        )
        if u.role in ("officer", "supervisor"):  # 执法证号, printed on notices and decisions
            user.certificate_number = DEMO_CERTIFICATES.get(u.username)
        made.append(u.username)
    return made


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
    for when, item in generate(now, days):
        batch.append((when, item))
        if len(batch) == BATCH:
            _ingest(batch, now, tally)
            batch = []
    if batch:
        _ingest(batch, now, tally)
    drain(max_batches=10_000)
    db.session.commit()
    _attach_evidence()
    tally.decided_plate, tally.decided = _decide_a_regular()
    tally.closed_case, enterprise_id = _close_a_baidunwang(tally.decided_plate)
    tally.listed_enterprise = _list_an_enterprise(enterprise_id, tally.closed_case)
    tally.police_package = demo_referrals()  # a 百吨王 and a repeat offender wait for the police
    from .stations import demo_station_actions

    demo_station_actions()  # 卸载 / 驳载 / 劝返 at the stations and entrances
    db.session.commit()
    tally.sources = demo_sources(now, days)  # weighbridges, loadings, cases to trace
    return tally


def _attach_evidence() -> None:
    """Every case gets its evidence set (plate close-up and overview, generated), uploaded as a
    device's is, so a newcomer sees a complete case (domain-rules §6.2). The evidence worker
    decodes and watermarks them, as it does a device's; the cases the demo takes through the
    procedure have theirs processed at once (procedure.py), since §6.2 bars confirming without."""
    from service.evidence.samples import attach_samples

    reading_ids = list(db.session.scalars(select(Case.reading_id).order_by(Case.id)))
    for start in range(0, len(reading_ids), 500):
        attach_samples(reading_ids[start : start + 500], process=False)
        db.session.commit()


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


# Summary ----------------------------------------------------------------------------


def _login_lines() -> list[str]:
    return ["演示账号（用户名 / 密码 / 角色）："] + [
        f"{u.username} / {u.password} / {ROLE_LABELS[u.role]}" for u in DEMO_USERS
    ]


def _summary(sites_made: list[str], users_made: list[str], registry_made: Counter, tally: Tally | None) -> str:
    kinds = Counter(SITES_BY_CODE[c].kind for c in sites_made)
    kind_text = "、".join(f"{label} {kinds[k]}" for k, label in SITE_KIND_LABELS.items() if kinds[k])
    regions = "、".join(REGIONS[c] for c in sorted({SITES_BY_CODE[c].region_code[:4] + "00" for c in sites_made}))
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
    if t.closed_case:
        lines.append(
            f"一超四罚示例：百吨王案件 {t.closed_case} 的驾驶人、车辆、运输企业、源头单位事项均已办结，结案，待抄告"
        )
    if t.listed_enterprise:
        lines.append(f"企业监管示例：{t.listed_enterprise} 挂牌督办，期限下周")
    if t.police_package:
        lines.append(f"移交公安示例：百吨王、屡犯案件待公安签收；移交包 {t.police_package} 已导出并签收（账号 police）")
    if t.sources:
        s = t.sources
        lines.append(
            f"源头倒查示例：{s['weighbridges']} 台出场地磅上报 {s['loadings']} 条出场称重，源头超限装载立案 "
            f"{s['source_cases']} 件；倒查队列中有线索明确、线索竞合与无线索的案件（账号 investigator）"
        )
    return lines
