"""系统状态 for administrators: the rule settings in force (what every decision is computed with),
the outbox (follow-up work written with each ingest, drained by the workers) and the job queues."""

from __future__ import annotations

from dataclasses import fields

from flask import current_app, render_template
from sqlalchemy import func, select

from models import OutboxEvent
from service.config import rule_settings
from service.console.session import login_required
from service.extensions import db


def settings_rows() -> list[tuple[str, str]]:
    """(parameter, value) of every rule setting, as the running service holds it."""
    current = rule_settings()
    out = []
    for f in fields(current):
        value = getattr(current, f.name)
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, (set, frozenset)):
            value = "、".join(sorted(str(v) for v in value)) or "（空）"
        elif isinstance(value, tuple):
            value = "；".join(" ".join(map(str, v)) if isinstance(v, tuple) else str(v) for v in value) or "（空）"
        out.append((f.name, str(value)))
    return out


def outbox_rows() -> list[dict]:
    """Per topic: rows waiting, of which failed at least once, and the oldest waiting."""
    stmt = (
        select(
            OutboxEvent.topic,
            func.count(),
            func.count(OutboxEvent.last_error),
            func.min(OutboxEvent.created_at),
        )
        .where(OutboxEvent.processed_at.is_(None))
        .group_by(OutboxEvent.topic)
        .order_by(OutboxEvent.topic)
    )
    return [{"topic": t, "pending": n, "failing": e, "oldest": o} for t, n, e, o in db.session.execute(stmt)]


def queue_rows() -> list[dict] | None:
    """Per RQ queue: jobs waiting, running and failed; None when Redis cannot be reached."""
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    from service.queueing import get_queue, redis_ok
    from workers.queues import QUEUES

    if not redis_ok(current_app):
        return None
    out = []
    for name in QUEUES:
        queue = get_queue(current_app, name)
        out.append(
            {
                "name": name,
                "queued": queue.count,
                "started": StartedJobRegistry(queue=queue).count,
                "failed": FailedJobRegistry(queue=queue).count,
            }
        )
    return out


def register(bp) -> None:
    @bp.get("/admin/status")
    @login_required("admin")
    def status():
        return render_template("admin/status.html", settings=settings_rows(), outbox=outbox_rows(), queues=queue_rows())
