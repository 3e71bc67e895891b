"""A deployment's rule settings (RULE_SETTINGS_FILE) reach every rule that uses them.

domain-rules.md tags values UNCONFIRMED or [PROV]; each is a field of RuleSettings with
the default the document proposes. A jurisdiction changes them in one JSON file, read by
every web and worker process, and the operator checks a file before using it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from service.clock import CST
from service.config import Config, ConfigError, load_rule_settings
from service.rules.settings import DEFAULT, RuleSettings, RuleSettingsError, settings_from_mapping
from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.evidence_kit import give_evidence


def use(app, monkeypatch, **values) -> RuleSettings:
    settings = settings_from_mapping(values)
    monkeypatch.setitem(app.config, "RULE_SETTINGS", settings)
    return settings


# --------------------------------------------------------------------------- the file


def test_a_settings_file_is_read_with_its_types(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps(
            {
                "fine_rounding": "ceil",
                "public_holidays": ["2027-01-01", "2027-10-01"],
                "adjusted_workdays": ["2027-09-26"],
                "wim_mpe_pct_by_class": {"5": 5, "10": 10},
                "calibration_required_kinds": ["wim", "static"],
                "blacklist_valid_years": None,
                "baidunwang_kg": 90000,
            }
        ),
        encoding="utf-8",
    )
    settings = load_rule_settings(path)
    assert settings.fine_rounding == "ceil"
    assert settings.public_holidays == {date(2027, 1, 1), date(2027, 10, 1)}
    assert settings.adjusted_workdays == {date(2027, 9, 26)}
    assert settings.mpe_for_class("10") == 10.0
    assert settings.calibration_required_kinds == ("wim", "static")
    assert settings.blacklist_valid_years is None
    assert settings.baidunwang_kg == 90000.0
    # Keys left out keep the defaults domain-rules.md proposes.
    assert settings.wim_unknown_class_pct == DEFAULT.wim_unknown_class_pct == 10.0
    assert settings.statement_period_days == DEFAULT.statement_period_days


@pytest.mark.parametrize(
    "document, key, words",
    [
        ({"colour": "red"}, "colour", "未知的设置项"),
        ({"limitation_years": "2"}, "limitation_years", "须为整数"),
        ({"wim_unknown_class_pct": True}, "wim_unknown_class_pct", "须为数值"),
        ({"public_holidays": ["2027-02-30"]}, "public_holidays", "不是有效日期：2027-02-30"),
        ({"public_holidays": "2027-01-01"}, "public_holidays", "须为列表"),
        ({"fine_rounding": "up"}, "fine_rounding", "floor 或 ceil"),
        ({"wim_mpe_pct_by_class": [["5", 5]]}, "wim_mpe_pct_by_class", "须为对象"),
        ({"wim_mpe_pct_by_class": {"5": -1}}, "(误差)", "不得为负数"),
        ({"limitation_years": 0}, "limitation_years", "至少为 1"),
        ({"calibration_required_kinds": ["bridge"]}, "calibration_required_kinds", "未知点位类型"),
        ({"enterprise_revocation_pct": 10}, "enterprise_revocation_pct", "须大于 10"),
        (
            {"public_holidays": ["2027-10-08"], "adjusted_workdays": ["2027-10-08"]},
            "adjusted_workdays",
            "2027-10-08 同时列为法定节假日和调休上班日",
        ),
    ],
)
def test_a_bad_settings_document_names_the_key_and_why(document, key, words):
    with pytest.raises(RuleSettingsError) as caught:
        settings_from_mapping(document)
    assert key in caught.value.errors and words in caught.value.errors[key]


def test_every_bad_key_is_named_at_once():
    with pytest.raises(RuleSettingsError) as caught:
        settings_from_mapping({"colour": 1, "limitation_years": "2", "public_holidays": ["x"]})
    assert set(caught.value.errors) == {"colour", "limitation_years", "public_holidays"}


def test_a_deployment_reads_the_file_named_in_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "rules.json"
    path.write_text('{"statement_period_days": 15}', encoding="utf-8")
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("RULE_SETTINGS_FILE", str(path))
    monkeypatch.setenv("BAIDUNWANG_WATCH_DAYS", "365")
    monkeypatch.setenv("REWEIGH_WINDOW_HOURS", "48")
    cfg = Config.from_env()
    assert cfg.RULE_SETTINGS.statement_period_days == 15
    assert (cfg.BAIDUNWANG_WATCH_DAYS, cfg.REWEIGH_WINDOW_HOURS) == (365, 48)


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "不存在"),
        ("{not json", "不是有效的 JSON"),
        ('["fine_rounding"]', "须为 JSON 对象"),
        ('{"fine_rounding": "round"}', "fine_rounding"),
    ],
)
def test_a_deployment_with_an_unusable_file_does_not_start(tmp_path, monkeypatch, content, words):
    """Running the law with settings nobody chose is worse than not running: the error says what to fix."""
    path = tmp_path / "rules.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("RULE_SETTINGS_FILE", str(path))
    with pytest.raises(ConfigError, match=words) as caught:
        Config.from_env()
    assert str(path) in str(caught.value)


# --------------------------------------------------------------------------- the rules use them


def test_fine_rounding_setting_reaches_the_proposed_fine(app, client, make_site, login, monkeypatch):
    """62号令 Art 43 "每超1000千克罚款500元": 4,200 kg over is 2,000 yuan when a part-tonne is
    not charged (the default, ⚖) and 2,500 when the jurisdiction charges it."""
    use(app, monkeypatch, fine_rounding="ceil")
    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = Officer(client, login("officer"))
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    assert officer.step(case_id, "notice").status_code == 201
    assert officer.get(case_id).get_json()["penalty_proposal"]["proposed_yuan"] == 2500


@pytest.mark.parametrize("pct, over", [(None, False), (5, True)])
def test_unknown_wim_class_tolerance_setting_decides_over_the_limit(app, client, make_site, monkeypatch, pct, over):
    """A WIM device of unknown accuracy class: 10 % of the gross by default (⚖ it may be a
    class-10 device), or what the jurisdiction sets. 52,000 kg on 6 axles is 3,000 over the
    49,000 limit: within 5,200 (10 %), beyond 2,600 (5 %)."""
    if pct is not None:
        use(app, monkeypatch, wim_unknown_class_pct=pct)
    _, device = make_site(accuracy_class=None)
    result = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=52000)]}
    ).get_json()["results"][0]
    assert result["tolerance_kg"] == (2600 if over else 5200)
    assert result["overlimit"] is over and (result["case_id"] is not None) is over


def _working_days_after(start: date, n: int, holidays: set[date]) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            n -= 1
    return day


def test_holiday_calendar_and_statement_period_reach_the_notice(app, client, make_site, login, monkeypatch):
    """The hearing request (5 working days, 行政处罚法 Art 64/85) skips the loaded holidays;
    the statement period is the jurisdiction's number of days."""
    today = datetime.now(CST).date()
    holidays = set()
    day = today
    while len(holidays) < 3:  # the next three weekdays become holidays
        day += timedelta(days=1)
        if day.weekday() < 5:
            holidays.add(day)
    use(
        app,
        monkeypatch,
        public_holidays=[d.isoformat() for d in sorted(holidays)],
        statement_period_days=45,
    )
    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = Officer(client, login("officer"))
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    assert officer.step(case_id, "notice").status_code == 201
    detail = officer.get(case_id).get_json()
    assert detail["hearing_request_due"] == _working_days_after(today, 5, holidays).isoformat()
    assert detail["hearing_request_due"] != _working_days_after(today, 5, set()).isoformat()
    statement_due = date.fromisoformat(detail["statement_due"])
    assert statement_due >= today + timedelta(days=45)  # a last day off work moves to the next working day
    assert (statement_due - today).days <= 45 + 4


# --------------------------------------------------------------------------- operator commands


def test_rules_show_lists_every_setting_and_marks_the_changed_ones(app, monkeypatch):
    use(app, monkeypatch, fine_rounding="ceil", public_holidays=["2027-01-01", "2027-02-06", "2027-02-07"])
    monkeypatch.setitem(app.config, "RULE_SETTINGS_FILE", "/etc/zhichao/rules.json")
    result = app.test_cli_runner().invoke(args=["rules", "show"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "来源：/etc/zhichao/rules.json"
    assert "fine_rounding = ceil    （已改，默认 floor）" in lines
    assert "public_holidays = 2027 年 3 天    （已改，默认 （空））" in lines
    assert "limitation_years = 2" in lines  # unchanged: no mark
    assert "wim_mpe_pct_by_class = 5 级 ±5%" in lines
    assert "REWEIGH_WINDOW_HOURS = 24    （环境变量）" in lines
    assert len(lines) == 1 + len(DEFAULT.__dataclass_fields__) + 2


def test_rules_check_names_what_is_wrong_in_a_file_before_it_is_used(app, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text('{"statement_period_days": 20}', encoding="utf-8")
    bad.write_text('{"statement_period_days": 0, "colour": 1}', encoding="utf-8")
    ok = app.test_cli_runner().invoke(args=["rules", "check", str(good)])
    assert ok.exit_code == 0 and "statement_period_days = 20    （已改，默认 30）" in ok.output
    refused = app.test_cli_runner().invoke(args=["rules", "check", str(bad)])
    assert refused.exit_code == 1
    assert "colour：未知的设置项" in refused.output
    assert app.config["RULE_SETTINGS"] == DEFAULT  # checking changes nothing
