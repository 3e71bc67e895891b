"""Enterprise supervision proposals (service/rules/supervision.py): 约谈 / 挂牌督办 / 限期整改 at
their thresholds (settings), the heaviest first, none repeated while one is under way."""

from __future__ import annotations

import pytest

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
