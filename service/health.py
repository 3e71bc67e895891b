"""GET /healthz (no auth): database, Redis and the outbox backlog (CONTRACT §3)."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify
from sqlalchemy import text

from service.extensions import db
from service.outbox import pending_count
from service.queueing import redis_ok

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        body = {"database": "ok", "redis": "ok" if redis_ok(current_app) else "down"}
        try:
            db.session.execute(text("SELECT 1"))
            body["outbox_pending"] = pending_count()
        except Exception:  # noqa: BLE001 - report, don't raise
            log.exception("healthz: database check failed")
            body["database"], body["outbox_pending"] = "down", None
        status = 200 if body["database"] == "ok" else 503
        return jsonify(body), status
