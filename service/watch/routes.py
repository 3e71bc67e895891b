"""布控 and alerts: supervisors watch plates; officers see and acknowledge detections."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from models import Alert, Site, User, WatchEntry
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.watch import operations as ops
from service.watch.schemas import AckSchema, AlertQueryArgsSchema, AlertSchema, WatchCreateSchema, WatchEntrySchema

blp = Blueprint("watch", __name__, description="布控与告警")
protect(blp, roles=("admin", "supervisor", "officer"))


def _actor() -> User:
    return db.session.get(User, current_principal().user_id)


def alert_rows(args: dict, limit: int = 200) -> list[dict]:
    stmt = (
        select(Alert, Site.code, Site.name, WatchEntry.reason, WatchEntry.source)
        .join(Site, Site.id == Alert.site_id)
        .join(WatchEntry, WatchEntry.id == Alert.watch_entry_id)
    )
    if args.get("open"):
        stmt = stmt.where(Alert.acknowledged_at.is_(None))
    if args.get("after_id"):
        stmt = stmt.where(Alert.id > args["after_id"])
    if args.get("id"):
        stmt = stmt.where(Alert.id == args["id"])
    rows = db.session.execute(stmt.order_by(Alert.id.desc()).limit(limit)).all()
    return [
        {
            "id": a.id,
            "plate": a.plate,
            "site_code": code,
            "site_name": name,
            "reading_id": a.reading_id,
            "captured_at": a.captured_at,
            "raised_at": a.raised_at,
            "reason": reason,
            "source": source,
            "acknowledged_at": a.acknowledged_at,
            "note": a.note,
        }
        for a, code, name, reason, source in rows
    ]


@blp.route("/watchlist")
class Watchlist(MethodView):
    @blp.response(200, WatchEntrySchema(many=True))
    def get(self):
        """Plates under watch now (manual and automatic 百吨王 entries)."""
        return db.session.scalars(
            select(WatchEntry).where(ops.active_clause(ops._now())).order_by(WatchEntry.id.desc())
        ).all()

    @blp.arguments(WatchCreateSchema)
    @blp.response(201, WatchEntrySchema)
    def post(self, data):
        """Supervisor puts a plate under watch with a reason and an end date."""
        if current_principal().role not in ("supervisor", "admin"):
            abort(403, message="只有执法负责人可以布控")
        entry = ops.add_watch(data["plate"], data["reason"], data["ends_at"], _actor())
        db.session.commit()
        return entry


@blp.route("/watchlist/<int:entry_id>")
class WatchById(MethodView):
    @blp.response(204)
    def delete(self, entry_id: int):
        """Lift a watch before its end date."""
        if current_principal().role not in ("supervisor", "admin"):
            abort(403, message="只有执法负责人可以撤销布控")
        entry = db.session.get(WatchEntry, entry_id)
        if entry is None:
            abort(404, message="布控记录不存在")
        ops.end_watch(entry, _actor())
        db.session.commit()


@blp.route("/alerts")
class Alerts(MethodView):
    @blp.arguments(AlertQueryArgsSchema, location="query")
    @blp.response(200, AlertSchema(many=True))
    def get(self, args):
        """Detections of watched plates, newest first (poll with after_id)."""
        return alert_rows(args)


@blp.route("/alerts/<int:alert_id>/ack", methods=["POST"])
@blp.arguments(AckSchema)
@blp.response(200, AlertSchema)
def acknowledge(data, alert_id: int):
    """An officer acknowledges an alert."""
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        abort(404, message="告警不存在")
    if current_principal().role not in ("officer", "supervisor"):
        abort(403, message="只有执法人员可以确认告警")
    ops.acknowledge(alert, _actor(), data.get("note"))
    db.session.commit()
    return alert_rows({"id": alert_id}, limit=1)[0]
