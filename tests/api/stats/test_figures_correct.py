"""Every figure of GET /api/v1/stats/summary agrees with a count made here, independently, from
the readings the devices posted and the steps the officers took (domain-rules §9): by site, by
region, by Beijing day (a reading at 23:30 and one at 00:30 fall on different days), and after
a device catches up on yesterday's readings once the follow-up worker has run."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.api.review.test_procedure import Officer
from tests.conftest import reading

# Thursday 2026-11-19 17:00 Beijing time; then Friday 2026-11-20 02:00 (the logins still valid).
DAY1 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 19, 18, 0, tzinfo=UTC)
D0, D1, D2 = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)
SITES = {"JL-WIM-01": ("wim", "220102"), "JL-STA-01": ("static", "220104"), "SP-WIM-01": ("wim", "220301")}
# (site, record, captured_at in Beijing time, axles, gross kg)
READINGS = [
    ("JL-WIM-01", "w1", "2026-11-18T23:30:00+08:00", 6, 60000),
    ("JL-WIM-01", "w2", "2026-11-19T00:30:00+08:00", 6, 42000),
    ("JL-WIM-01", "w3", "2026-11-19T08:00:00+08:00", 2, 30000),
    ("JL-WIM-01", "w4", "2026-11-19T09:00:00+08:00", 5, 101000),
    ("JL-WIM-01", "w5", "2026-11-19T09:10:00+08:00", 3, 40000),
    ("JL-WIM-01", "w6", "2026-11-19T09:20:00+08:00", 4, 39000),
    ("JL-STA-01", "s1", "2026-11-19T07:00:00+08:00", 6, 58000),
    ("JL-STA-01", "s2", "2026-11-19T07:30:00+08:00", 6, 53000),
    ("JL-STA-01", "s3", "2026-11-19T08:30:00+08:00", 6, 66000),
    ("JL-STA-01", "s4", "2026-11-19T09:30:00+08:00", 6, 48000),
    ("JL-STA-01", "s5", "2026-11-18T12:00:00+08:00", 8, 120000),
    ("SP-WIM-01", "p1", "2026-11-19T06:00:00+08:00", 6, 47000),
    ("SP-WIM-01", "p2", "2026-11-19T06:10:00+08:00", 4, 45000),
]
# A device that was offline sends yesterday's readings the next day.
LATE = [
    ("SP-WIM-01", "p3", "2026-11-19T22:00:00+08:00", 6, 70000),
    ("SP-WIM-01", "p4", "2026-11-19T23:59:00+08:00", 6, 41000),
    ("JL-WIM-01", "w7", "2026-11-19T11:00:00+08:00", 6, 51000),
]


ACT_FIGURES = (
    "cases_confirmed", "cases_dismissed", "cases_decided", "warnings_decided", "fines_decided", "fines_decided_yuan",
    "fines_collected_yuan", "unloaded_vehicles", "transferred_vehicles", "turned_back", "police_referrals",
    "police_outcomes", "source_penalties", "source_enterprises_penalised",
)  # fmt: skip


class Truth:
    """The figures counted here from what the test did, without the service's code."""

    def __init__(self):
        self.rows: list[dict] = []  # one per posted reading, with the service's classification
        self.acts: list[tuple[str, date, str, float]] = []  # (site, day, figure, amount)

    def add_reading(self, site: str, captured: str, axles: int, gross: int, result: dict) -> None:
        over = result["overlimit"]
        pct = (gross - result["limit_kg"]) * 100 / result["limit_kg"]
        self.rows.append(
            {"site": site, "day": date.fromisoformat(captured[:10]), "axles": axles, "gross": gross,
             "over": over, "pct": pct, "case": result.get("case_id") is not None, "opened": None}
        )  # fmt: skip

    def act(self, site: str, day: date, figure: str, amount: float = 1) -> None:
        self.acts.append((site, day, figure, amount))

    def figures(self, sites: set[str], start: date, end: date) -> dict:
        rows = [r for r in self.rows if r["site"] in sites and start <= r["day"] <= end]
        over = [r for r in rows if r["over"]]
        n = len(rows)
        f: dict = Counter({k: 0 for k in ACT_FIGURES})
        f.update(
            checked=n, overlimit=len(over), baidunwang=sum(r["gross"] >= 100000 for r in rows),
            over_gt10=sum(r["pct"] > 10 for r in over), over_gt20=sum(r["pct"] > 20 for r in over),
            over_gt100=sum(r["pct"] > 100 for r in over), over_lt55t=sum(r["gross"] < 55000 for r in over),
            over_55_100t=sum(55000 <= r["gross"] < 100000 for r in over),
            over_ge100t=sum(r["gross"] >= 100000 for r in over),
            over_ax7p=sum(r["axles"] > 6 for r in over),
        )  # fmt: skip
        for axles in range(2, 7):
            f[f"over_ax{axles}"] = sum(r["axles"] == axles for r in over)
        f["cases_opened"] = sum(
            1 for r in self.rows if r["site"] in sites and r["opened"] and start <= r["opened"] <= end
        )
        for site, day, figure, amount in self.acts:
            if site in sites and start <= day <= end:
                f[figure] += amount
        f["overlimit_rate_pct"] = round(f["overlimit"] * 100 / n, 2) if n else None
        f["overlimit_rate_excl10_pct"] = round(f["over_gt10"] * 100 / n, 2) if n else None
        f["overlimit_rate_excl20_pct"] = round(f["over_gt20"] * 100 / n, 2) if n else None
        f["unloaded_tonnes"] = round(f.pop("unloaded_kg", 0) / 1000, 3)
        f["transferred_tonnes"] = round(f.pop("transferred_kg", 0) / 1000, 3)
        return f


@pytest.fixture
def traveller():
    """Tokens are signed with the time: the people log in on the test's day."""
    with time_machine.travel(DAY1, tick=True) as t:
        yield t


@pytest.fixture
def world(app, client, make_site, login, traveller):
    devices = {}
    for code, (kind, region) in SITES.items():
        devices[code] = make_site(code, kind, region_code=region)[1]
    people = {
        "officer": Officer(client, login("officer", username="tj-officer")),
        "boss": Officer(client, login("supervisor", username="tj-boss")),
        "police": login("police", username="tj-police"),
        "reader": login("supervisor", username="tj-reader"),
    }
    return devices, people


def post_all(client, devices, truth: Truth, items, opened_on: date) -> dict[str, int]:
    cases = {}
    for site, record, captured, axles, gross in items:
        body = reading(site_code=site, record_id=record, captured_at=captured, axle_count=axles,
                       gross_weight_kg=gross, plate=f"吉A{abs(hash(record)) % 90000 + 10000}")  # fmt: skip
        res = client.post("/api/v1/readings", headers=devices[site], json={"readings": [body]})
        result = res.get_json()["results"][0]
        assert result["status"] == "accepted", result
        truth.add_reading(site, captured, axles, gross, result)
        if result.get("case_id"):
            truth.rows[-1]["opened"] = opened_on
            cases[record] = result["case_id"]
    # The same record again is a duplicate: it counts once.
    site, record, captured, axles, gross = items[0]
    again = reading(site_code=site, record_id=record, captured_at=captured, axle_count=axles, gross_weight_kg=gross)
    assert client.post("/api/v1/readings", headers=devices[site], json={"readings": [again]}).status_code == 200
    return cases


def ok(res, status=200):
    assert res.status_code == status, res.get_json()
    return res.get_json()


def officers_work(client, people, truth: Truth, cases: dict[str, int], day: date) -> None:
    officer, boss = people["officer"], people["boss"]
    # Dismissed without review; confirmed and then dismissed: counts in both.
    ok(officer.step(cases["w1"], "dismissal", {"reason": "图像显示跨道行驶"}))
    ok(boss.step(cases["w1"], "dismissal/approve"))
    truth.act("JL-WIM-01", day, "cases_dismissed")
    ok(officer.step(cases["s2"], "confirm", {}))
    ok(officer.step(cases["s2"], "dismissal", {"reason": "驾驶人提供了大件运输许可"}))
    ok(boss.step(cases["s2"], "dismissal/approve"))
    truth.act("JL-STA-01", day, "cases_confirmed")
    truth.act("JL-STA-01", day, "cases_dismissed")
    # Station: unloaded twice (two records), transferred, turned back, a fine decided and paid.
    ok(officer.step(cases["s1"], "confirm", {}))
    truth.act("JL-STA-01", day, "cases_confirmed")
    for kind, kg, figure in (("unloading", 9000.5, "unloaded"), ("unloading", 1200, "unloaded"),
                             ("transfer", 4000, "transferred")):  # fmt: skip
        ok(officer.step(cases["s1"], "station-actions", {"kind": kind, "kg": kg}))
        truth.act("JL-STA-01", day, f"{figure}_vehicles")
        truth.act("JL-STA-01", day, f"{figure}_kg", kg)
    ok(officer.step(cases["s3"], "station-actions", {"kind": "turned_back"}))
    truth.act("JL-STA-01", day, "turned_back")
    ok(officer.step(cases["s1"], "notice"), 201)
    ok(officer.step(cases["s1"], "statements", {"kind": "waiver"}))
    ok(officer.step(cases["s1"], "decision", {"kind": "fine", "amount_yuan": 4500}))
    ok(boss.step(cases["s1"], "decision/approve"))
    ok(officer.step(cases["s1"], "service", {"method": "post"}))
    ok(officer.step(cases["s1"], "payment", {"amount_yuan": 4500}))
    for figure, amount in (("cases_decided", 1), ("fines_decided", 1), ("fines_decided_yuan", 4500),
                           ("fines_collected_yuan", 4500)):  # fmt: skip
        truth.act("JL-STA-01", day, figure, amount)


def police_work(client, people, truth: Truth, cases: dict[str, int], day: date) -> None:
    officer = people["officer"]
    ok(officer.step(cases["s3"], "confirm", {}))
    truth.act("JL-STA-01", day, "cases_confirmed")
    ok(officer.step(cases["s3"], "referral", {"reason": "百吨王以外的严重超载，移交公安"}))
    truth.act("JL-STA-01", day, "police_referrals")
    refs = ok(client.get("/api/v1/referrals", headers=people["police"]))
    (ref,) = [r for r in refs if r["case_id"] == cases["s3"]]
    outcome = {
        "decision_number": "吉公交决字〔2026〕第1120号",
        "decided_on": day.isoformat(),
        "fine_yuan": 2000,
        "points": 6,
    }
    ok(client.post(f"/api/v1/referrals/{ref['id']}/outcome", json=outcome, headers=people["police"]))
    truth.act("JL-STA-01", day, "police_outcomes")


def compare(client, headers, truth: Truth, start: date, end: date) -> int:
    """Every figure, for every site, region and day, against the count made here."""
    checked = 0
    scopes = [({"site": code}, {code}) for code in SITES]
    scopes += [({"region": "220100"}, {"JL-WIM-01", "JL-STA-01"}), ({"region": "220000"}, set(SITES)), ({}, set(SITES))]
    for query, sites in scopes:
        for lo, hi in [(start, end), *[(d, d) for d in _days(start, end)]]:
            got = ok(client.get("/api/v1/stats/summary", headers=headers,
                                query_string={"from": lo.isoformat(), "to": hi.isoformat(), **query}))  # fmt: skip
            want = truth.figures(sites, lo, hi)
            for key, value in want.items():
                assert got[key] == value, f"{key} for {query or 'all'} {lo}–{hi}: {got[key]} ≠ {value}"
                checked += 1
    grouped = ok(client.get("/api/v1/stats/summary", headers=headers, query_string={
        "from": start.isoformat(), "to": end.isoformat(), "group_by": "day"}))  # fmt: skip
    for group in grouped["groups"]:
        day = date.fromisoformat(group["key"])
        assert group["checked"] == truth.figures(set(SITES), day, day)["checked"]
    by_site = ok(client.get("/api/v1/stats/summary", headers=headers, query_string={
        "from": start.isoformat(), "to": end.isoformat(), "group_by": "site"}))  # fmt: skip
    assert {g["key"]: g["overlimit"] for g in by_site["groups"]} == {
        code: truth.figures({code}, start, end)["overlimit"] for code in SITES
    }
    return checked


def _days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d = date.fromordinal(d.toordinal() + 1)


def test_every_figure_agrees_with_an_independent_count(app, client, world, traveller, run_worker):
    devices, people = world
    truth = Truth()
    reader = people["reader"]
    if True:
        cases = post_all(client, devices, truth, READINGS, D1)
        run_worker()
        officers_work(client, people, truth, cases, D1)
        assert compare(client, reader, truth, D0, D1) > 500
        traveller.move_to(DAY2)
        police_work(client, people, truth, cases, D2)
        # The 四平 device catches up on yesterday: yesterday's figures change once the worker ran.
        before = ok(client.get("/api/v1/stats/summary", headers=reader,
                               query_string={"from": "2026-11-19", "to": "2026-11-19", "site": "SP-WIM-01"}))  # fmt: skip
        late_cases = post_all(client, devices, truth, LATE, D2)
        run_worker()
        after = ok(client.get("/api/v1/stats/summary", headers=reader,
                              query_string={"from": "2026-11-19", "to": "2026-11-19", "site": "SP-WIM-01"}))  # fmt: skip
        assert (before["checked"], after["checked"]) == (2, 4)
        assert late_cases and after["cases_opened"] == before["cases_opened"]  # opened today, not yesterday
        assert compare(client, reader, truth, D0, D2) > 700


def test_a_rolled_back_step_leaves_no_figure(app, client, world, run_worker):
    """A refused step (a turned-back record on a dismissed case) changes nothing."""
    devices, people = world
    truth = Truth()
    if True:
        cases = post_all(client, devices, truth, READINGS[:2], D1)
        run_worker()
        officer, boss = people["officer"], people["boss"]
        ok(officer.step(cases["w1"], "dismissal", {"reason": "跨道"}))
        ok(boss.step(cases["w1"], "dismissal/approve"))
        refused = officer.step(cases["w1"], "station-actions", {"kind": "unloading", "kg": 5000})
        assert refused.status_code == 409
        got = ok(client.get("/api/v1/stats/summary", headers=people["reader"],
                            query_string={"from": "2026-11-19", "to": "2026-11-19"}))  # fmt: skip
        assert (got["unloaded_vehicles"], got["cases_dismissed"], got["cases_confirmed"]) == (0, 1, 0)


def _rollups(app) -> dict:
    from models import SiteDailyCaseStats, SiteDailyStats, SiteHeartbeat
    from service.extensions import db

    out = {}
    with app.app_context():
        for model in (SiteDailyStats, SiteDailyCaseStats, SiteHeartbeat):
            cols = [c.name for c in model.__table__.columns]
            rows = db.session.execute(model.__table__.select()).all()
            # A site-day whose every figure is 0 (a step undone) is the same as none.
            out[model.__tablename__] = sorted(
                tuple(r) for r in rows if any(v for c, v in zip(cols, r, strict=True) if c not in ("site_id", "day"))
            )
    return out


def test_a_recount_from_the_stored_data_gives_the_same_figures(app, client, world, traveller, run_worker):
    """What the service kept by increments equals a count afresh (service/stats/recount.py)."""
    from service.extensions import db
    from service.stats.recount import recount_all

    devices, people = world
    truth = Truth()
    cases = post_all(client, devices, truth, READINGS, D1)
    run_worker()
    officers_work(client, people, truth, cases, D1)
    police_work(client, people, truth, cases, D1)
    kept = _rollups(app)
    assert kept["site_daily_stats"] and kept["site_daily_case_stats"]
    with app.app_context():
        recount_all(db.session)
        db.session.commit()
    assert _rollups(app) == kept
