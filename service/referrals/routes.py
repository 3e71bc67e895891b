"""Police referral API (CONTRACT §5): the police's systems and scripts use it as the console does.

The police see referrals and nothing else (a case not referred to them is 404 here, 403 on the
case API). Receipt (签收) and outcome (结果) are steps of the table on the referral's police
matter; a package is built by a worker and answered 202 with its progress. `If-Match` is
optional here: the police's systems do not hold the case's version, and each step checks the
matter's state under the case's row lock, so a second receipt or outcome is refused (409).
"""

from __future__ import annotations

from flask import Response, send_file
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select

from models import Case, ReferralExport, User
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.procedure import ANY_VERSION, run_step
from service.referrals import exports, operations, signing
from service.referrals.package import package_path
from service.referrals.queries import (
    export_query,
    export_view,
    referral_query,
    referral_views,
    visible_export,
    visible_referral,
)
from service.referrals.schemas import (
    ExportAckSchema,
    ExportCreateSchema,
    ExportSchema,
    PublicKeySchema,
    ReferralQueryArgsSchema,
    ReferralSchema,
)
from service.review.routes import if_match
from service.review.schemas import NoteSchema, OutcomeSchema, ReasonSchema

blp = Blueprint("referrals", __name__, description="移交公安：移交清单、移交包（签名）、签收与处理结果")
protect(blp, roles=("admin", "supervisor", "officer", "police"))
EXPORTERS = ("supervisor", "officer", "police")
ZIP = "application/zip"


def _actor() -> User:
    return db.session.get(User, current_principal().user_id)


def _referral_row(referral_id: int) -> tuple:
    row = visible_referral(referral_id, _actor())
    if row is None:
        abort(404, message="移交不存在")
    return row


def _one(referral_id: int) -> dict:
    return referral_views([_referral_row(referral_id)], _actor(), with_actions=True)[0]


def _step(referral_id: int, step: str, body: dict | None):
    referral, matter, _, _ = _referral_row(referral_id)
    case = db.session.scalar(select(Case).where(Case.id == referral.case_id).with_for_update())
    expected = if_match()
    run_step(step, case, _actor(), body, matter=matter, expected_version=ANY_VERSION if expected is None else expected)
    db.session.commit()
    return _one(referral_id)


@blp.route("/referrals")
class Referrals(MethodView):
    @blp.arguments(ReferralQueryArgsSchema, location="query")
    @blp.response(200, ReferralSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Referred cases, newest first; a police user sees only referrals, never other cases."""
        stmt = referral_query(_actor(), args.get("status"), args.get("overdue", False))
        pagination_parameters.item_count = db.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        page, size = pagination_parameters.page, pagination_parameters.page_size
        rows = db.session.execute(stmt.offset((page - 1) * size).limit(size)).all()
        return referral_views(rows, _actor())


@blp.route("/referrals/<int:referral_id>")
@blp.response(200, ReferralSchema)
@blp.alt_response(404, description="移交不存在")
def referral(referral_id: int):
    """One referral: the act, the reasons and articles, the police's figures, receipt, outcome, packages."""
    return _one(referral_id)


@blp.route("/referrals/<int:referral_id>/ack", methods=["POST"])
@blp.arguments(NoteSchema)
@blp.response(200, ReferralSchema)
@blp.alt_response(403, description="无权签收")
@blp.alt_response(404, description="移交不存在")
@blp.alt_response(409, description="已签收、已办结或已撤回")
def referral_ack(body, referral_id: int):
    """Acknowledge receipt of one referral (签收)."""
    return _step(referral_id, "acknowledge", body)


@blp.route("/referrals/<int:referral_id>/outcome", methods=["POST"])
@blp.arguments(OutcomeSchema)
@blp.response(200, ReferralSchema)
@blp.alt_response(403, description="无权登记")
@blp.alt_response(404, description="移交不存在")
@blp.alt_response(409, description="已办结或已撤回")
@blp.alt_response(422, description="文号缺失或日期晚于今天")
def referral_outcome(body, referral_id: int):
    """The police's decision (number, date, fine, points): the driver's matter closes."""
    return _step(referral_id, "outcome", body)


@blp.route("/referrals/<int:referral_id>/withdraw", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, ReferralSchema)
@blp.alt_response(403, description="只有执法负责人可以撤回")
@blp.alt_response(404, description="移交不存在")
@blp.alt_response(409, description="已导出的移交不能撤回")
def referral_withdraw(body, referral_id: int):
    """A supervisor withdraws a referral before it is exported (the reason is kept)."""
    return _step(referral_id, "withdraw_referral", body)


@blp.route("/referrals/exports")
class Exports(MethodView):
    @blp.response(200, ExportSchema(many=True))
    def get(self):
        """The packages, newest first (the latest 200)."""
        return [export_view(e) for e in db.session.scalars(export_query(_actor()).limit(200))]

    @blp.arguments(ExportCreateSchema)
    @blp.response(202, ExportSchema)
    @blp.alt_response(403, description="无权导出")
    @blp.alt_response(409, description="没有尚未导出的移交")
    @blp.alt_response(422, description="移交编号无效")
    def post(self, body):
        """Build a package of these referrals ({}: every referral not yet exported) in the background."""
        if current_principal().role not in EXPORTERS:
            abort(403, message="只有执法人员、执法负责人或公安交警可以导出移交包")
        export = exports.create_export(_actor(), body.get("referral_ids"))
        db.session.commit()
        exports.queue_export(export.id)
        return export_view(export)


def _export(export_id: int) -> ReferralExport:
    export = visible_export(export_id, _actor())
    if export is None:
        abort(404, message="移交包不存在")
    return export


@blp.route("/referrals/exports/<int:export_id>")
@blp.response(200, ExportSchema)
@blp.alt_response(404, description="移交包不存在")
def export_status(export_id: int):
    """A package's status and progress; when done, its SHA-256."""
    return export_view(_export(export_id))


@blp.route("/referrals/exports/<int:export_id>/file")
@blp.doc(responses={"200": {"description": "移交包（ZIP）", "content": {ZIP: {}}}})
@blp.alt_response(404, description="移交包不存在")
@blp.alt_response(409, description="移交包尚未完成")
def export_file(export_id: int) -> Response:
    """The package (ZIP): referrals.xlsx, referrals.csv, evidence/<case_number>/…, manifest.json (signed)."""
    export = _export(export_id)
    if export.status != "done":
        abort(409, message=f"移交包{export.status_label}，尚不能下载")
    path = package_path(export)
    if not path.exists():
        abort(404, message="移交包文件不存在")
    return send_file(path, mimetype=ZIP, as_attachment=True, download_name=path.name, etag=export.sha256)


@blp.route("/referrals/exports/<int:export_id>/ack", methods=["POST"])
@blp.response(200, ExportAckSchema)
@blp.alt_response(403, description="无权签收")
@blp.alt_response(404, description="移交包不存在")
@blp.alt_response(409, description="移交包尚未完成")
def export_ack(export_id: int):
    """Acknowledge receipt of a whole package: each of its referrals not yet acknowledged."""
    if current_principal().role not in EXPORTERS:
        abort(403, message="只有公安交警或执法人员可以登记签收")
    export = db.session.scalar(select(ReferralExport).where(ReferralExport.id == export_id).with_for_update())
    if export is None or visible_export(export_id, _actor()) is None:
        abort(404, message="移交包不存在")
    count = operations.acknowledge_export(export, _actor())
    db.session.commit()
    return {**export_view(export), "acknowledged": count}


@blp.route("/referrals/public-key")
@blp.response(200, PublicKeySchema)
def public_key():
    """The agency's package signing key (Ed25519 public key, PEM) and its fingerprint."""
    key = signing.private_key()
    return {"algorithm": "Ed25519", "public_key_pem": signing.public_pem(key), "fingerprint": signing.fingerprint(key)}
