"""No internal marker reaches a person: UNCONFIRMED reads 待确认 with a footnote, provincial rules
say so, source grades are dropped; an import error names its column in Chinese."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from service.review.legal_text import field_label, public_text


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("《超限运输车辆行驶公路管理规定》第四十四条 [S1]", "《超限运输车辆行驶公路管理规定》第四十四条"),
        ("修正后推定为第四十七条，UNCONFIRMED）", "修正后推定为第四十七条，待确认*）"),
        ("30日内（[PROV]，全国期限未见，UNCONFIRMED）", "30日内（地方规定；全国期限未见，待确认*）"),
        ("[PROV 河南] 吊销道路运输经营许可证", "（河南地方规定）吊销道路运输经营许可证"),
        ("第三条 [P]；第五条 [S]", "第三条；第五条"),
        ("没有标记的文字 [1]", "没有标记的文字 [1]"),
    ],
)
def test_research_markers_become_words(raw, shown):
    assert public_text(raw) == shown


def test_markup_stays_markup_and_other_values_pass():
    assert public_text(Markup("<b>[1, 2]</b>")) == Markup("<b>[1, 2]</b>")
    assert isinstance(public_text(Markup("<b>x [S1]</b>")), Markup)
    assert public_text(42) == 42 and public_text(None) is None


def test_every_page_prints_through_it(app):
    with app.test_request_context():
        template = app.jinja_env.from_string("{{ text }}")
        assert template.render(text="第四十七条，UNCONFIRMED [S1]") == "第四十七条，待确认*"


def test_import_errors_name_the_column_in_chinese():
    assert field_label("plate") == "号牌（plate）" and field_label("enterprise_uscc").startswith("所属企业信用代码")
    assert field_label("something_else") == "something_else"
