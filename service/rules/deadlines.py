"""Procedure deadlines of a transport-side case (domain-rules §6.3), as Asia/Shanghai dates.

How "N days after X" is counted:

* The day of X is not counted; day 1 is the next day. 行政处罚法 has no counting article of
  its own, so the general rule is used: 民事诉讼法 (2023) Art 85 "期间开始的时和日，不计算在
  期间内" (the law Art 61 refers to for service) and 民法典 Art 201 agree. The due date is the
  last day on which the step is in time (it runs to 24:00, 民法典 Art 203 ¶2).
* "二日、三日、五日、七日" in 行政处罚法 are working days (Art 85, the only thing Art 85 says);
  longer periods (15, 90 days) are calendar days.
* A calendar period that ends on a rest day (weekend or 法定节假日) ends on the next working day
  (民事诉讼法 Art 85; 民法典 Art 203 ¶1). ⚖ The party gets that extension for its own periods
  (payment, statement, hearing request). The authority's periods (decision, service, copy
  notice) are shown at the unextended date: the party-favourable reading holds the authority
  to the earlier day, and a note gives the later one.

Working days are Monday–Friday minus ``settings.public_holidays`` plus
``settings.adjusted_workdays`` (调休). Both are empty by default (UNCONFIRMED: the State
Council publishes them yearly); a deadline says so in its notes when a year it spans has no
holiday loaded.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .facts import local_date
from .settings import DEFAULT, RuleSettings

PUNISH_LAW = "《中华人民共和国行政处罚法》"
ART_85_WORKING = f"{PUNISH_LAW}第八十五条：本法中“二日”“三日”“五日”“七日”的规定是指工作日，不含法定节假日"
COUNTING_BASIS = (
    "《中华人民共和国民事诉讼法》第八十五条：期间开始的时和日，不计算在期间内。"
    "期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期"
    "（另见《中华人民共和国民法典》第二百零一条、第二百零三条）"
)
ART_60 = f"{PUNISH_LAW}第六十条：行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定。法律、法规、规章另有规定的，从其规定"
ART_61 = (
    f"{PUNISH_LAW}第六十一条第一款：行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，"
    "行政机关应当在七日内依照《中华人民共和国民事诉讼法》的有关规定，将行政处罚决定书送达当事人"
)
ART_64 = f"{PUNISH_LAW}第六十四条第（一）项：当事人要求听证的，应当在行政机关告知后五日内提出"
ART_67 = (
    f"{PUNISH_LAW}第六十七条第三款：当事人应当自收到行政处罚决定书之日起十五日内，"
    "到指定的银行或者通过电子支付系统缴纳罚款"
)
ART_72 = (
    f"{PUNISH_LAW}第七十二条第一款第（一）项：到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
    "加处罚款的数额不得超出罚款的数额；第七十三条第三款：当事人申请行政复议或者提起行政诉讼的，"
    "加处罚款的数额在行政复议或者行政诉讼期间不予计算"
)
STATEMENT_BASIS = (
    f"{PUNISH_LAW}第四十四条、第四十五条（陈述、申辩权）；期限为告知书载明的期限，"
    "河南夏邑告知书实践为收到告知书之日起30日内（[PROV]，全国交通运输部门期限未见，UNCONFIRMED）"
)
COPY_NOTICE_BASIS = (
    "《超限运输车辆行驶公路管理规定》(交通运输部令2016年第62号) 第四十四条（2016年文本；2021年修正后推定为"
    "第四十五条）要旨：违法超限运输案件处理完毕后7个工作日内，将车辆、驾驶人、货运源头单位及货物装载单、"
    "处罚决定等信息抄告车籍所在地道路运输管理机构（原文未取得，[S1]）"
)


@dataclass(frozen=True)
class Deadline:
    """One procedure deadline: the last day (Asia/Shanghai) on which the step is in time."""

    code: str  # e.g. 'decision_due'
    rule_id: str
    article: str
    start: date  # the day of the event; not counted
    due: date
    days: int
    unit: str  # 'calendar' | 'working'
    binds: str  # 'party' | 'authority'
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values: dates as ISO strings, notes as a list."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["due"] = self.due.isoformat()
        data["notes"] = list(self.notes)
        return data


def is_working_day(day: date, settings: RuleSettings = DEFAULT) -> bool:
    if day in settings.adjusted_workdays:
        return True
    return day.weekday() < 5 and day not in settings.public_holidays


def add_working_days(start: date, n: int, settings: RuleSettings = DEFAULT) -> date:
    """The n-th working day after ``start`` (``start`` itself is never counted); n = 0 → start."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day, settings):
            n -= 1
    return day


def next_working_day(day: date, settings: RuleSettings = DEFAULT) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, settings):
        day += timedelta(days=1)
    return day


def _calendar_notes(start: date, due: date, settings: RuleSettings) -> list[str]:
    loaded = {d.year for d in settings.public_holidays}
    missing = [year for year in range(start.year, due.year + 1) if year not in loaded]
    if not missing:
        return []
    years = "、".join(str(year) for year in missing)
    return [
        f"{years}年法定节假日未载入（国务院每年公布；由运维写入规则设置文件 RULE_SETTINGS_FILE 的 "
        "public_holidays 与 adjusted_workdays），仅扣除周末"
    ]


def _working(
    code: str, rule_id: str, article: str, start: date, n: int, binds: str, settings: RuleSettings
) -> Deadline:
    due = add_working_days(start, n, settings)
    notes = _calendar_notes(start, due, settings)
    return Deadline(code, rule_id, article, start, due, n, "working", binds, tuple(notes))


def _calendar(
    code: str, rule_id: str, article: str, start: date, n: int, binds: str, settings: RuleSettings
) -> Deadline:
    nominal = start + timedelta(days=n)
    extended = next_working_day(nominal, settings)
    notes = []
    if binds == "party":
        due = extended
        if extended != nominal:
            notes.append(f"届满日 {nominal.isoformat()} 为休息日，顺延至 {extended.isoformat()}（⚖ {COUNTING_BASIS}）")
    else:
        due = nominal
        if extended != nominal:
            notes.append(
                f"届满日 {nominal.isoformat()} 为休息日；依{COUNTING_BASIS}可顺延至 {extended.isoformat()}，"
                "⚖ 本系统按原届满日提示行政机关"
            )
    if extended != nominal or binds == "party":
        notes += _calendar_notes(start, extended, settings)
    return Deadline(code, rule_id, article, start, due, n, "calendar", binds, tuple(notes))


def case_deadlines(opened_at: datetime, settings: RuleSettings = DEFAULT) -> dict[str, Deadline]:
    """After 立案: the decision is due within 90 days (行政处罚法 Art 60)."""
    start = local_date(opened_at)
    return {"decision_due": _calendar("decision_due", "D-DECIDE-90", ART_60, start, 90, "authority", settings)}


def notice_deadlines(notice_served_at: datetime, settings: RuleSettings = DEFAULT) -> dict[str, Deadline]:
    """After the 告知书 is served: statement and defence, and (where the hearing right was
    notified, i.e. 较大数额罚款 as the province defines it) the hearing request."""
    start = local_date(notice_served_at)
    statement = _calendar(
        "statement_due", "D-STATEMENT", STATEMENT_BASIS, start, settings.statement_period_days, "party", settings
    )
    hearing = _working(
        "hearing_request_due", "D-HEARING-5WD", f"{ART_64}；{ART_85_WORKING}", start, 5, "party", settings
    )
    return {"statement_due": statement, "hearing_request_due": hearing}


def decision_deadlines(decided_at: datetime, settings: RuleSettings = DEFAULT) -> dict[str, Deadline]:
    """After the decision is announced: service within 7 working days when the party was absent (Art 61)."""
    start = local_date(decided_at)
    article = f"{ART_61}；{ART_85_WORKING}"
    return {"service_due": _working("service_due", "D-SERVE-7WD", article, start, 7, "authority", settings)}


def payment_deadlines(served_at: datetime, settings: RuleSettings = DEFAULT) -> dict[str, Deadline]:
    """After the party receives the decision: payment within 15 days (Art 67 ¶3)."""
    start = local_date(served_at)
    return {"payment_due": _calendar("payment_due", "D-PAY-15", ART_67, start, 15, "party", settings)}


def copy_notice_due(closed_at: datetime, settings: RuleSettings = DEFAULT) -> Deadline:
    """After the case is closed: copy to the home registry within 7 working days (X-TRANSPORT-7WD)."""
    start = local_date(closed_at)
    return _working("copy_notice_due", "X-TRANSPORT-7WD", COPY_NOTICE_BASIS, start, 7, "authority", settings)


def late_fee(fine_yuan: int, due: date, paid_on: date, *, suspended_days: int = 0) -> int:
    """加处罚款 (行政处罚法 Art 72): 3 % of the fine per day after ``due``, never more than the fine.

    ``due`` is the payment deadline (``payment_deadlines``), itself still in time. Days under
    administrative review or litigation are passed as ``suspended_days`` (Art 73 ¶3). ⚖ The
    total is rounded down to a whole yuan.
    """
    if fine_yuan < 0 or suspended_days < 0:
        raise ValueError("fine_yuan and suspended_days must not be negative")
    days_late = max(0, (paid_on - due).days - suspended_days)
    surcharge = math.floor(Decimal(fine_yuan) * 3 * days_late / 100)
    return min(fine_yuan, surcharge)


def is_overdue(due: date, today: date) -> bool:
    """Past the due date; the due date itself is still in time."""
    return today > due


def due_soon(due: date, today: date, within_days: int = 3) -> bool:
    """Not yet overdue and due within ``within_days`` calendar days (today counts as 0)."""
    return not is_overdue(due, today) and (due - today).days <= within_days
