"""大件运输许可: 62号令 Art 44 (inserted by 交通运输部令2021年第12号) deems a permitted vehicle off
its permit an illegal over-limit transport — only for acts on or after the amendment (domain-rules
§12; 行政处罚法 第三十七条). Earlier acts get the rule then in force."""

from datetime import date

import pytest

from service.rules import PermitFacts, check_permits
from service.rules.settings import DEFAULT

PERMIT = PermitFacts("JL-DJ-2021-001", date(2021, 1, 1), date(2022, 12, 31), 80_000, ("JL-WIM-01",))
DEEMED_FROM = DEFAULT.permit_deemed_from


def check(day: date, site: str = "JL-WIM-01", gross: float = 70_000):
    return check_permits([PERMIT], day=day, site_code=site, gross_kg=gross, dims={}, deemed_from=DEEMED_FROM)


def test_the_amendment_date_is_a_setting_defaulting_to_the_end_of_august_2021():
    assert DEEMED_FROM == date(2021, 8, 31)  # ⚖ UNCONFIRMED: only "2021-08" is known


@pytest.mark.parametrize(
    "day, deemed, rule_id",
    [
        pytest.param(date(2021, 8, 30), False, "F-PERMIT-ROUTE", id="F-PERMIT-ROUTE 条例 Art65¶1 before the amendment"),
        pytest.param(date(2021, 8, 31), True, "F-DEEMED-大件", id="F-DEEMED-大件 62号令 Art44 from the amendment"),
        pytest.param(date(2022, 3, 1), True, "F-DEEMED-大件", id="F-DEEMED-大件 62号令 Art44 later"),
    ],
)
def test_off_route_is_deemed_only_from_the_amendment(day, deemed, rule_id):
    finding = check(day, site="JL-WIM-09")
    assert finding.status == "off_route" and finding.deemed is deemed and finding.rule_id == rule_id
    if deemed:
        assert "第四十四条" in finding.article
    else:
        assert finding.article == "《公路安全保护条例》第六十五条第一款" and "责令改正" in finding.reason
        assert "早于第四十四条施行日 2021-08-31" in finding.reason


@pytest.mark.parametrize(
    "day, deemed, rule_id, article",
    [
        pytest.param(date(2021, 6, 1), False, "F-MASS", "公路法", id="F-MASS 公路法 Art76(5) over the permit before"),
        pytest.param(
            date(2021, 9, 1), True, "F-DEEMED-大件", "第四十四条", id="F-DEEMED-大件 62号令 Art44 车证不符 after"
        ),
    ],
)
def test_over_the_permitted_figures(day, deemed, rule_id, article):
    finding = check(day, gross=85_000)
    assert finding.status == "over_permit" and finding.deemed is deemed
    assert finding.rule_id == rule_id and article in finding.article


def test_a_covering_permit_is_permitted_whenever_the_act():
    for day in (date(2021, 3, 1), date(2022, 3, 1)):
        assert check(day).status == "permitted"
