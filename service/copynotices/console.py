"""Copy notices in the console (抄告): due and overdue first, mark one sent, export the list."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from models import CopyNotice
from service.console.session import check_csrf, current_user, login_required
from service.copynotices import exports, operations
from service.copynotices.queries import STATUSES, notice_query, notice_view
from service.extensions import db

bp = Blueprint("copy_notices_console", __name__, template_folder="templates")
VIEWERS = ("admin", "supervisor", "officer")


def _status() -> str | None:
    status = request.args.get("status", "due")
    return status if status in STATUSES else None


@bp.get("/copy-notices")
@login_required(*VIEWERS)
def copy_notices():
    status = _status()
    rows = [notice_view(n) for n in db.session.scalars(notice_query(status, current_user()).limit(500))]
    return render_template("copynotices/list.html", rows=rows, status=status)


@bp.get("/copy-notices/export.xlsx")
@login_required(*VIEWERS)
def export():
    rows = [notice_view(n) for n in db.session.scalars(notice_query(_status(), current_user()))]
    headers = {"Content-Disposition": 'attachment; filename="copy-notices.xlsx"'}
    return Response(exports.workbook(rows), mimetype=exports.XLSX, headers=headers)


@bp.get("/copy-notices/<int:notice_id>.pdf")
@login_required(*VIEWERS)
def notice_pdf(notice_id: int):
    notice = db.session.get(CopyNotice, notice_id)
    if notice is None:
        abort(404)
    return Response(exports.pdf(notice_view(notice)), mimetype="application/pdf")


@bp.post("/copy-notices/<int:notice_id>/sent")
@login_required("supervisor", "officer")
def mark_sent(notice_id: int):
    check_csrf()
    g.return_to = url_for("copy_notices_console.copy_notices")
    notice = db.session.scalar(select(CopyNotice).where(CopyNotice.id == notice_id).with_for_update())
    if notice is None:
        abort(404)
    operations.mark_sent(notice, current_user(), request.form.get("reference", ""), request.form.get("sent_to") or None)
    db.session.commit()
    flash(f"已登记抄告：{notice.content.get('case_number')}", "ok")
    return redirect(url_for("copy_notices_console.copy_notices"))
