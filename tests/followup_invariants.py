"""What the follow-up must have made of the stored readings, recomputed directly from them.

Shared by the tests that drain with several workers at once: whatever order the drains ran
in, the result must equal what one careful pass over the readings gives.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from models import Alert, Case, OutboxEvent, Reading, SiteDailyStats, WatchEntry
from service.clock import local_date
from service.extensions import db


def followup_problems() -> list[str]:
    """Every way the stored follow-up differs from a direct count (empty: all right).
    Call inside an app context."""
    problems = []
    left = db.session.execute(
        select(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.last_error).where(
            (OutboxEvent.processed_at.is_(None)) | (OutboxEvent.last_error.is_not(None))
        )
    ).all()
    if left:
        problems.append(f"outbox rows pending or failed: {len(left)}, e.g. {left[:3]}")
    problems += _daily_figures() + _prior_counts() + _watch_entries() + _alerts()
    return problems


def _daily_figures() -> list[str]:
    direct: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows = db.session.execute(
        select(Reading.site_id, Reading.captured_at, Reading.overlimit, Reading.baidunwang, Reading.plate)
    )
    for site_id, captured_at, overlimit, baidunwang, plate in rows:
        t = direct[(site_id, local_date(captured_at))]
        t[0], t[1], t[2], t[3] = t[0] + 1, t[1] + overlimit, t[2] + baidunwang, t[3] + (plate is None)
    stored = {
        (s.site_id, s.day): [s.checked, s.overlimit, s.baidunwang, s.unreadable_plates]
        for s in db.session.scalars(select(SiteDailyStats))
    }
    wrong = {k: (stored.get(k), v) for k, v in direct.items() if stored.get(k) != v}
    wrong.update({k: (v, None) for k, v in stored.items() if k not in direct and any(v)})
    return (
        [f"daily figures differ from a direct count at {len(wrong)} site-days (stored, direct): {wrong}"]
        if wrong
        else []
    )


def _prior_counts() -> list[str]:
    cases = db.session.execute(select(Case.id, Case.plate, Case.captured_at, Case.prior_case_count)).all()
    times: dict[str, list] = defaultdict(list)
    for _, plate, captured_at, _ in cases:
        if plate is not None:
            times[plate].append(captured_at)
    wrong = []
    for case_id, plate, captured_at, stored in cases:
        expected = 0 if plate is None else sum(1 for t in times[plate] if t < captured_at)
        if stored != expected:
            wrong.append((case_id, plate, stored, expected))
    return [f"prior case counts wrong on {len(wrong)} cases (id, plate, stored, right): {wrong[:10]}"] if wrong else []


def _watch_entries() -> list[str]:
    """Each 百吨王 plate is watched, once, until BAIDUNWANG_WATCH_DAYS after its last 百吨王: by an
    entry of its own or, if the plate was watched already, by that entry, extended (one plate,
    one watch: add_watch)."""
    days = timedelta(days=current_app.config["BAIDUNWANG_WATCH_DAYS"])
    giants = dict(
        db.session.execute(
            select(Reading.plate, func.max(Reading.captured_at))
            .where(Reading.baidunwang.is_(True), Reading.plate_valid.is_(True))
            .group_by(Reading.plate)
        ).all()
    )
    entries = db.session.execute(
        select(WatchEntry.plate, WatchEntry.source, WatchEntry.ends_at).where(WatchEntry.ended_at.is_(None))
    ).all()
    watched = Counter(plate for plate, _, _ in entries)
    automatic = {plate for plate, source, _ in entries if source == "baidunwang"}
    short = {plate for plate, _, ends_at in entries if plate in giants and ends_at < giants[plate] + days}
    problems = []
    if set(giants) - set(watched) or automatic - set(giants) or short:
        problems.append(
            f"百吨王 plates not watched: {set(giants) - set(watched)}; watched without one: "
            f"{automatic - set(giants)}; watched too briefly: {short}"
        )
    twice = {p: n for p, n in watched.items() if n != 1}
    if twice:
        problems.append(f"plates watched more than once: {twice}")
    return problems


def _alerts() -> list[str]:
    """Alerts must be exactly the rule's set: a reading of a watched plate that came in after the
    entry started, captured before it ends, the entry not lifted, not the entry's own detection."""
    entries = db.session.scalars(select(WatchEntry).where(WatchEntry.ended_at.is_(None))).all()
    by_plate: dict[str, list[WatchEntry]] = defaultdict(list)
    for e in entries:
        by_plate[e.plate].append(e)
    expected = set()
    rows = db.session.execute(
        select(Reading.id, Reading.plate, Reading.received_at, Reading.captured_at).where(
            Reading.plate.in_(list(by_plate) or [""])
        )
    )
    for reading_id, plate, received_at, captured_at in rows:
        for e in by_plate[plate]:
            if e.starts_at <= received_at and e.ends_at > captured_at and e.source_reading_id != reading_id:
                expected.add((reading_id, e.id))
    raised = {(r, w) for r, w in db.session.execute(select(Alert.reading_id, Alert.watch_entry_id))}
    problems = []
    if expected - raised:
        problems.append(f"{len(expected - raised)} alerts missing, e.g. {sorted(expected - raised)[:5]}")
    if raised - expected:
        problems.append(
            f"{len(raised - expected)} alerts the rule does not call for, e.g. {sorted(raised - expected)[:5]}"
        )
    return problems
