"""Enterprise supervision proposals (service/rules/supervision.py): 约谈 / 挂牌督办 / 限期整改 at
their thresholds (settings), the heaviest first, none repeated while one is under way."""

from __future__ import annotations

import pytest

from service.rules.settings import RuleSettings
from service.rules.supervision import EnterpriseFigures, propose


def kinds(figures):
    return [(p.kind, p.rule_id) for p in propose(figures)]


@pytest.mark.parametrize(
    "figures, expected",
    [
        pytest.param(EnterpriseFigures("transport"), [], id="nothing: no proposal"),
        pytest.param(
            EnterpriseFigures("transport", baidunwang_vehicles=1), [("interview", "SV-BDW")], id="one 百吨王: 约谈"
        ),
        pytest.param(
            EnterpriseFigures("transport", baidunwang_vehicles=2), [("interview", "SV-BDW")], id="two 百吨王: 约谈"
        ),
        pytest.param(
            EnterpriseFigures("transport", baidunwang_vehicles=3),
            [("listed", "SV-BDW-LISTED")],
            id="three 百吨王: 挂牌督办",
        ),
        pytest.param(
            EnterpriseFigures("transport", share_over=True, share_pct=20.0),
            [("rectification", "SV-ENT-10")],
            id="R-ENT-10 公路安全保护条例 Art66 over 10%: 限期整改",
        ),
        pytest.param(EnterpriseFigures("source", source_matters=1), [], id="a source traced once: no proposal"),
        pytest.param(EnterpriseFigures("source", source_matters=2), [("interview", "SV-SRC")], id="traced twice: 约谈"),
        pytest.param(
            EnterpriseFigures("source", source_matters=5),
            [("listed", "SV-SRC-LISTED")],
            id="traced five times: 挂牌督办",
        ),
        pytest.param(EnterpriseFigures("source", baidunwang_vehicles=9), [], id="a source unit has no fleet rule"),
        pytest.param(
            EnterpriseFigures("both", baidunwang_vehicles=3, share_over=True, source_matters=2),
            [("listed", "SV-BDW-LISTED"), ("rectification", "SV-ENT-10"), ("interview", "SV-SRC")],
            id="both kinds: the heaviest first, one of each",
        ),
    ],
)
def test_proposals_at_their_thresholds(figures, expected):
    assert kinds(figures) == expected


def test_a_kind_already_under_way_is_not_proposed_again():
    figures = EnterpriseFigures("transport", baidunwang_vehicles=3, open_action_kinds=frozenset({"listed"}))
    assert kinds(figures) == []


def test_each_proposal_states_its_figures_and_basis():
    (p,) = propose(EnterpriseFigures("transport", share_over=True, share_pct=14.28))
    assert "14.28%" in p.reason and "第六十六条" in p.article and p.to_dict()["kind_label"] == "限期整改"


UNDER = ("JS-WB-01", "疑似称重数据不实", "4 趟可比对的运输中有 3 趟（75%）出场称重未超限、路面称重超限")
SILENT = ("JS-WB-02", "称重设备离线", "已 52 小时无出场称重记录")


@pytest.mark.parametrize(
    "figures, settings, expected",
    [
        pytest.param(EnterpriseFigures("source"), RuleSettings(), [], id="S-WEIGH 62号令 Art28 no flag: nothing"),
        pytest.param(EnterpriseFigures("source", integrity_flags=(UNDER,)), RuleSettings(),
                     [("rectification", "SV-SRC-WEIGH")], id="S-WEIGH 62号令 Art28 one flag at threshold 1: 限期整改"),
        pytest.param(EnterpriseFigures("source", integrity_flags=(UNDER,)),
                     RuleSettings(supervision_rectification_integrity_flags=2), [],
                     id="S-WEIGH 62号令 Art28 one flag below threshold 2"),
        pytest.param(EnterpriseFigures("source", integrity_flags=(UNDER, SILENT)),
                     RuleSettings(supervision_rectification_integrity_flags=2), [("rectification", "SV-SRC-WEIGH")],
                     id="S-WEIGH 62号令 Art28 two flags at threshold 2"),
        pytest.param(EnterpriseFigures("transport", integrity_flags=(UNDER,)), RuleSettings(), [],
                     id="S-WEIGH a transport enterprise has no exit weighbridge rule"),
        pytest.param(EnterpriseFigures("source", integrity_flags=(UNDER,), open_action_kinds=frozenset({"rectification"})),
                     RuleSettings(), [], id="S-WEIGH rectification already under way"),
    ],
)  # fmt: skip
def test_weighbridge_integrity_flags_propose_rectification(figures, settings, expected):
    assert [(p.kind, p.rule_id) for p in propose(figures, settings)] == expected


def test_the_integrity_proposal_states_each_flag_and_its_figures():
    (p,) = propose(EnterpriseFigures("source", integrity_flags=(UNDER, SILENT)))
    assert "核查标记 2 项" in p.reason and "JS-WB-01「疑似称重数据不实」" in p.reason and "75%" in p.reason
    assert "JS-WB-02「称重设备离线」" in p.reason and "第二十八条" in p.article
