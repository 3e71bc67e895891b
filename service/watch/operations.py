"""布控: watched plates and the alerts their detections raise.

The check runs in the follow-up job over each ingested batch (one query per
batch), so an alert appears within seconds and the ingest hot path pays nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from models import Alert, Reading, User, WatchEntry
from service import audit
from service.errors import DomainError
from service.extensions import db
from service.outbox import enqueue_outbox


def _now() -> datetime:
    return datetime.now(UTC)


def active_clause(at: datetime):
    return and_(WatchEntry.starts_at <= at, WatchEntry.ends_at > at, WatchEntry.ended_at.is_(None))


def add_watch(
    plate: str,
    reason: str,
    ends_at: datetime,
    actor: User | None,
    *,
    source: str = "manual",
    source_reading_id: int | None = None,
) -> WatchEntry:
    from service.rules import normalise_plate, plate_is_valid

    typed, plate = plate, normalise_plate(plate or "")
    if not plate:
        raise DomainError("车牌不能为空", 422, {"plate": ["必填"]})
    if not plate_is_valid(plate):
        raise DomainError(f"「{typed}」不是有效的号牌（GA 36-2018），如 吉A12345", 422, {"plate": ["号牌格式不正确"]})
    if not (reason or "").strip():
        raise DomainError("布控须填写理由", 422, {"reason": ["必填"]})
    if ends_at <= _now():
        raise DomainError("布控截止时间须晚于当前时间", 422, {"until": ["须晚于当前时间"]})
    watched = db.session.scalar(
        select(WatchEntry).where(WatchEntry.plate == plate, active_clause(_now())).order_by(WatchEntry.ends_at.desc())
    )
    if watched is not None:  # one plate, one watch: extended, never doubled (two alerts per pass)
        return _extend(watched, reason.strip(), ends_at, actor, source)
    entry = WatchEntry(
        plate=plate,
        reason=reason.strip(),
        source=source,
        starts_at=_now(),
        ends_at=ends_at,
        created_by_id=actor.id if actor else None,
        source_reading_id=source_reading_id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "watch.add",
        "watch",
        entry.id,
        actor=actor.username if actor else "system",
        actor_user_id=actor.id if actor else None,
        reason=entry.reason,
        data={"plate": plate, "ends_at": ends_at.isoformat(), "source": source},
    )
    # After this commits, alerts for readings that came in while it was being written: their
    # own follow-up ran before the entry was visible (service/followup.py, watch_added).
    enqueue_outbox("watch.added", {"entry_ids": [entry.id]})
    return entry


def _extend(entry: WatchEntry, reason: str, ends_at: datetime, actor: User | None, source: str) -> WatchEntry:
    before = entry.ends_at
    if ends_at > entry.ends_at:
        entry.ends_at = ends_at
    if reason and reason not in entry.reason:
        entry.reason = f"{entry.reason}；{reason}"
    audit.record(
        "watch.extend",
        "watch",
        entry.id,
        actor=actor.username if actor else "system",
        actor_user_id=actor.id if actor else None,
        reason=reason,
        data={
            "plate": entry.plate,
            "ends_at": entry.ends_at.isoformat(),
            "before": before.isoformat(),
            "source": source,
        },
    )
    return entry


def end_watch(entry: WatchEntry, actor: User) -> None:
    if entry.ended_at is None:
        entry.ended_at, entry.ended_by_id = _now(), actor.id
        audit.record(
            "watch.end", "watch", entry.id, actor=actor.username, actor_user_id=actor.id, data={"plate": entry.plate}
        )
    db.session.flush()


def watch_baidunwang(reading_ids: list[int]) -> int:
    """Every 百吨王 vehicle goes on the watch list (or has its entry extended). The follow-up
    calls it holding the plates' locks (service/locking.py): two drains with a 百吨王 of the
    same plate then add one entry, the second extends it."""
    days = current_app.config["BAIDUNWANG_WATCH_DAYS"]
    added = 0
    rows = db.session.execute(
        select(Reading.id, Reading.plate, Reading.captured_at, Reading.gross_weight_kg)
        .where(Reading.id.in_(reading_ids), Reading.baidunwang.is_(True), Reading.plate_valid.is_(True))
        .order_by(Reading.captured_at, Reading.id)
    ).all()
    for reading_id, plate, captured_at, gross in rows:
        ends = max(captured_at, _now()) + timedelta(days=days)
        current = db.session.scalar(
            select(WatchEntry)
            .where(
                WatchEntry.plate == plate,
                WatchEntry.source == "baidunwang",
                WatchEntry.ends_at > _now(),
                WatchEntry.ended_at.is_(None),
            )
            .order_by(WatchEntry.id)
            .limit(1)
        )
        if current is not None:
            current.ends_at = max(current.ends_at, ends)
            continue
        add_watch(
            plate,
            f"百吨王：{captured_at:%Y-%m-%d} 检测总质量 {gross:,.0f} kg",
            ends,
            None,
            source="baidunwang",
            source_reading_id=reading_id,
        )
        added += 1
    return added


def raise_alerts(reading_ids: list[int]) -> list[int]:
    """Alerts for readings of watched plates (one query per batch; idempotent)."""
    if not reading_ids:
        return []
    return _insert_alerts(_hits().where(Reading.id.in_(reading_ids)))


def raise_alerts_for_entries(entry_ids: list[int]) -> list[int]:
    """Alerts of these watch entries for readings already stored: those that came in after the
    entry started but were followed up before it was committed (idempotent)."""
    if not entry_ids:
        return []
    return _insert_alerts(_hits().where(WatchEntry.id.in_(entry_ids)))


def _hits():
    # Watched when the reading came in (a late upload of a pass still alerts), until the end
    # date; the detection that put the plate on the list is not news.
    return (
        select(
            WatchEntry.id.label("watch_entry_id"),
            Reading.id.label("reading_id"),
            Reading.site_id,
            Reading.plate,
            Reading.captured_at,
        )
        .join(WatchEntry, WatchEntry.plate == Reading.plate)
        .where(
            WatchEntry.starts_at <= Reading.received_at,
            WatchEntry.ends_at > Reading.captured_at,
            WatchEntry.ended_at.is_(None),
            or_(WatchEntry.source_reading_id.is_(None), WatchEntry.source_reading_id != Reading.id),
        )
    )


def _insert_alerts(hits) -> list[int]:
    from service.ingest.store import insert_for

    rows = [dict(r._mapping, raised_at=_now()) for r in db.session.execute(hits)]
    raised: list[int] = []
    for start in range(0, len(rows), 1000):  # 6 parameters a row: far below any driver's limit
        stmt = (
            insert_for(Alert)
            .values(rows[start : start + 1000])
            .on_conflict_do_nothing(index_elements=["reading_id", "watch_entry_id"])  # raised by an earlier run
            .returning(Alert.__table__.c.id)
        )
        raised += db.session.scalars(stmt)
    return raised


def acknowledge(alert: Alert, actor: User, note: str | None = None) -> Alert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by_id, alert.note = _now(), actor.id, note
        audit.record("alert.ack", "alert", alert.id, actor=actor.username, actor_user_id=actor.id, reason=note)
    db.session.flush()
    return alert


def open_alert_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Alert).where(Alert.acknowledged_at.is_(None)))
