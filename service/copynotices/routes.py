"""Copy notices (抄告) through the API: the list (due, overdue, sent), one notice, its PDF, the
workbook of a list, and recording that a notice went out."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import select

from models import CopyNotice, User
from service.auth.guard import current_principal, protect
from service.copynotices import exports, operations
from service.copynotices.queries import STATUSES, notice_query, notice_view
from service.extensions import db

blp = Blueprint("copy_notices", __name__, description="抄告（案件办结后七个工作日内抄告车籍地道路运输管理机构）")
protect(blp, roles=("admin", "supervisor", "officer"))
XLSX = exports.XLSX


class CopyNoticeArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "due | overdue | sent"})


class CopyNoticeSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    plate = fields.String(allow_none=True)
    vehicle_type = fields.String()
    enterprise = fields.String(allow_none=True)
    transport_cert_no = fields.String(allow_none=True)
    driver = fields.String(allow_none=True)
    qualification_no = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    decision_number = fields.String(allow_none=True)
    decision = fields.String()
    decided_on = fields.String(allow_none=True)
    site = fields.String()
    captured_at = fields.String()
    gross_weight_kg = fields.Float()
    excess_kg = fields.Float()
    excess_pct = fields.Float()
    to = fields.String(metadata={"description": "抄告机关（车籍地道路运输管理机构）"})
    due_on = fields.Date()
    status = fields.String()
    status_label = fields.String()
    overdue = fields.Boolean()
    sent_at = fields.DateTime(allow_none=True)
    reference = fields.String(allow_none=True)


class SentSchema(Schema):
    class Meta:
        unknown = RAISE

    reference = fields.String(required=True, validate=validate.Length(min=1, max=500))
    sent_to = fields.String(allow_none=True, validate=validate.Length(max=128))


def _notice(notice_id: int) -> CopyNotice:
    notice = db.session.get(CopyNotice, notice_id)
    if notice is None:
        abort(404, message="抄告不存在")
    return notice


@blp.route("/copy-notices")
class CopyNotices(MethodView):
    @blp.arguments(CopyNoticeArgsSchema, location="query")
    @blp.response(200, CopyNoticeSchema(many=True))
    def get(self, args):
        """Copy notices, the most urgent first (filter: due, overdue, sent)."""
        return [notice_view(n) for n in db.session.scalars(notice_query(args.get("status"), _viewer()).limit(1000))]


def _viewer() -> User | None:
    return db.session.get(User, current_principal().user_id) if current_principal().user_id else None


@blp.route("/copy-notices/export.xlsx")
@blp.arguments(CopyNoticeArgsSchema, location="query")
@blp.doc(responses={"200": {"description": "工作簿", "content": {XLSX: {}}}})
def copy_notices_workbook(args):
    """The listed copy notices as a workbook (xlsx, Chinese headers, real dates and numbers)."""
    rows = [notice_view(n) for n in db.session.scalars(notice_query(args.get("status"), _viewer()))]
    headers = {"Content-Disposition": 'attachment; filename="copy-notices.xlsx"'}
    return Response(exports.workbook(rows), mimetype=XLSX, headers=headers)


@blp.route("/copy-notices/<int:notice_id>")
@blp.response(200, CopyNoticeSchema)
@blp.alt_response(404, description="抄告不存在")
def copy_notice(notice_id: int):
    """One copy notice with the fields of 62号令 Art 44."""
    return notice_view(_notice(notice_id))


@blp.route("/copy-notices/<int:notice_id>.pdf")
@blp.doc(responses={"200": {"description": "抄告单", "content": {"application/pdf": {}}}})
@blp.alt_response(404, description="抄告不存在")
def copy_notice_pdf(notice_id: int):
    """One copy notice as a PDF to send or print."""
    row = notice_view(_notice(notice_id))
    headers = {"Content-Disposition": f'inline; filename="copy-notice-{row["case_number"]}.pdf"'}
    return Response(exports.pdf(row), mimetype="application/pdf", headers=headers)


@blp.route("/copy-notices/<int:notice_id>/sent", methods=["POST"])
@blp.arguments(SentSchema)
@blp.response(200, CopyNoticeSchema)
@blp.alt_response(409, description="已抄告")
@blp.alt_response(422, description="缺少文号或回执")
def copy_notice_sent(body, notice_id: int):
    """Record that the copy notice went out, with its reference (audited)."""
    if current_principal().role not in ("officer", "supervisor"):
        abort(403, message="只有执法人员或执法负责人可以登记抄告")
    notice = db.session.scalar(select(CopyNotice).where(CopyNotice.id == notice_id).with_for_update())
    if notice is None:
        abort(404, message="抄告不存在")
    operations.mark_sent(notice, db.session.get(User, current_principal().user_id), **body)
    db.session.commit()
    return notice_view(notice)
