"""F-INSTIGATE and blacklist B-5 as tables (公路安全保护条例 第六十八条; 62号令 Art 48/49; 交办公路〔2017〕8号)."""

from __future__ import annotations

from datetime import date

import pytest

from service.rules.instigator import Penalty, assess_b5, instigator_basis
from service.rules.settings import RuleSettings


@pytest.mark.parametrize(
    ("act", "article", "version"),
    [
        pytest.param(date(2019, 5, 1), "第四十八条", "62号令@2016-09-21 第四十八条", id="62号令-Art48-2016-numbering"),
        pytest.param(
            date(2021, 8, 30), "第四十八条", "62号令@2016-09-21 第四十八条", id="62号令-Art48-day-before-amendment"
        ),
        pytest.param(date(2021, 8, 31), "第四十九条", "62号令@2021 第四十九条", id="62号令-Art49-amendment-in-force"),
        pytest.param(date(2026, 3, 2), "第四十九条", "62号令@2021 第四十九条", id="62号令-Art49-2021-numbering"),
    ],
)
def test_the_article_follows_the_act_date(act, article, version):
    basis = instigator_basis(act).to_dict()
    assert article in basis["article"] and basis["rule_version"] == version
    assert "第六十八条" in basis["article"]  # the 条例's article is the same throughout
    assert basis["rule_id"] == "F-INSTIGATE" and basis["max_yuan"] == 30_000 and basis["min_yuan"] == 0


def test_the_amendment_date_is_the_setting():
    later = RuleSettings(permit_deemed_from=date(2021, 10, 1))
    assert "第四十八条" in instigator_basis(date(2021, 9, 15), later).article


def p(day: str, fine: int | None, number: str = "") -> Penalty:
    return Penalty(date.fromisoformat(day), fine, number or f"交罚-{day}")


@pytest.mark.parametrize(
    ("penalties", "listed_on"),
    [
        pytest.param([p("2026-03-01", 19_999)], None, id="B-5-fine-19999-not-listed"),
        pytest.param([p("2026-03-01", 20_000)], "2026-03-01", id="B-5-fine-20000-listed"),
        pytest.param([p("2026-01-05", 5_000), p("2026-06-01", 3_000)], None, id="B-5-two-penalties"),
        pytest.param([p("2025-03-01", 1_000), p("2025-09-01", 1_000), p("2026-02-28", 1_000)], "2026-02-28",
                     id="B-5-third-within-1-year"),
        pytest.param([p("2025-03-01", 1_000), p("2025-09-01", 1_000), p("2026-03-01", 1_000)], None,
                     id="B-5-third-on-anniversary-not-within"),
        pytest.param([p("2025-03-01", 1_000), p("2025-09-01", None), p("2026-01-01", 1_000)], None,
                     id="B-5-order-to-correct-alone-is-no-penalty"),
        pytest.param([p("2025-01-01", 1_000), p("2025-02-01", 1_000), p("2025-03-01", 1_000), p("2025-04-01", 25_000)],
                     "2025-03-01", id="B-5-earliest-condition-lists"),
    ],
)  # fmt: skip
def test_b5_listing(penalties, listed_on):
    found = assess_b5(penalties)
    assert (found.listed_on.isoformat() if found else None) == listed_on
