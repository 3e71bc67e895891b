"""Enterprise supervision through the API: the service's proposals, and the 约谈 / 挂牌督办 /
限期整改 actions with their evidence and outcome."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import select

from models import Enterprise, SupervisionAction, User
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.rules.supervision import KINDS
from service.supervision import operations as ops

blp = Blueprint("supervision", __name__, description="企业监管：约谈、挂牌督办、限期整改")
protect(blp, roles=("admin", "supervisor", "investigator", "officer"))
ACTORS = ("supervisor", "investigator")


@blp.before_request
def _only_actors_write() -> None:
    """Reading is for every role of the blueprint; acting, for supervisors and investigators —
    refused before the body is even read."""
    from flask import request

    if request.method == "POST" and current_principal().role not in ACTORS:
        abort(403, message="只有执法负责人或源头倒查专班可以办理企业监管")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class SupervisionActionArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(["open", "overdue", "closed"]))
    enterprise_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class SupervisionActionCreateSchema(_Strict):
    enterprise_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(KINDS)),
        metadata={"description": "interview（约谈）| listed（挂牌督办）| rectification（限期整改）"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    due_on = fields.Date(required=True)
    responsible_person = fields.String(allow_none=True, validate=validate.Length(max=64))
    case_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**62)), load_default=list, validate=validate.Length(max=1000)
    )
    rule_id = fields.String(allow_none=True, validate=validate.Length(max=32))


class RectificationEvidenceSchema(_Strict):
    evidence = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class OutcomeTextSchema(_Strict):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class SupervisionActionSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    rule_id = fields.String(allow_none=True)
    reason = fields.String()
    case_ids = fields.List(fields.Integer())
    responsible_person = fields.String(allow_none=True)
    due_on = fields.Date()
    status = fields.String()
    status_label = fields.String()
    overdue = fields.Boolean()
    evidence = fields.String(allow_none=True)
    evidence_at = fields.DateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class SupervisionProposalSchema(Schema):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    rule_id = fields.String()
    reason = fields.String()
    article = fields.String()
    case_ids = fields.List(fields.Integer())


def _actor() -> User:
    return db.session.get(User, current_principal().user_id)


def _action(action_id: int) -> SupervisionAction:
    action = db.session.scalar(select(SupervisionAction).where(SupervisionAction.id == action_id).with_for_update())
    if action is None:
        abort(404, message="督办事项不存在")
    return action


@blp.route("/supervision/proposals")
@blp.response(200, SupervisionProposalSchema(many=True))
def supervision_proposals():
    """Enterprises the figures call for 约谈 / 挂牌督办 / 限期整改, with the figures and the rule."""
    return [
        {
            "enterprise_id": p["enterprise"].id,
            "enterprise_name": p["enterprise"].name,
            **p["proposal"],
            "case_ids": p["case_ids"],
        }
        for p in ops.proposals()
    ]


@blp.route("/supervision/actions")
class SupervisionActions(MethodView):
    @blp.arguments(SupervisionActionArgsSchema, location="query")
    @blp.response(200, SupervisionActionSchema(many=True))
    def get(self, args):
        """Supervision actions, open and overdue first (filter: open, overdue, closed; an enterprise)."""
        rows = db.session.scalars(ops.action_query(args.get("status"), args.get("enterprise_id")).limit(1000))
        return [ops.action_view(a) for a in rows]

    @blp.arguments(SupervisionActionCreateSchema)
    @blp.response(201, SupervisionActionSchema)
    @blp.alt_response(403, description="无权办理")
    @blp.alt_response(422, description="数据校验未通过")
    def post(self, body):
        """Open a 约谈, 挂牌督办 or 限期整改 against an enterprise (audited)."""
        actor = _actor()
        enterprise = db.session.get(Enterprise, body.pop("enterprise_id"))
        if enterprise is None:
            abort(422, message="企业不存在", errors={"enterprise_id": ["不存在"]})
        action = ops.open_action(enterprise, actor, **body)
        db.session.commit()
        return ops.action_view(action)


@blp.route("/supervision/actions/<int:action_id>/evidence", methods=["POST"])
@blp.arguments(RectificationEvidenceSchema)
@blp.response(200, SupervisionActionSchema)
def supervision_evidence(body, action_id: int):
    """Record the rectification material received."""
    actor = _actor()
    action = ops.record_evidence(_action(action_id), actor, body["evidence"])
    db.session.commit()
    return ops.action_view(action)


@blp.route("/supervision/actions/<int:action_id>/close", methods=["POST"])
@blp.arguments(OutcomeTextSchema)
@blp.response(200, SupervisionActionSchema)
def supervision_close(body, action_id: int):
    """Close the action with its outcome."""
    actor = _actor()
    action = ops.close_action(_action(action_id), actor, body["outcome"])
    db.session.commit()
    return ops.action_view(action)


class RepairerRevocationCreateSchema(_Strict):
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=128), metadata={"description": "维修企业名称"}
    )
    uscc = fields.String(
        allow_none=True, validate=validate.Length(max=18), metadata={"description": "统一社会信用代码"}
    )
    decision_number = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                    metadata={"description": "吊销资质的决定书文号"})  # fmt: skip
    decided_on = fields.Date(required=True, metadata={"description": "决定日期（不晚于今天）"})
    authority = fields.String(
        required=True, validate=validate.Length(min=1, max=128), metadata={"description": "作出决定的机关"}
    )
    note = fields.String(
        allow_none=True, validate=validate.Length(max=2000), metadata={"description": "非法改装的情节"}
    )


class RepairerRevocationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String(allow_none=True)
    decision_number = fields.String()
    decided_on = fields.Date()
    authority = fields.String()
    note = fields.String(allow_none=True)
    recorded_at = fields.DateTime()


@blp.route("/supervision/repairer-revocations")
class RepairerRevocations(MethodView):
    @blp.response(200, RepairerRevocationSchema(many=True))
    def get(self):
        """Vehicle repairers whose licence was revoked for illegal modification (blacklist B-4), newest first."""
        from service.supervision.repairers import revocations

        return revocations()

    @blp.arguments(RepairerRevocationCreateSchema)
    @blp.response(201, RepairerRevocationSchema)
    @blp.alt_response(403, description="只有执法负责人可以登记")
    @blp.alt_response(409, description="该决定书已登记")
    @blp.alt_response(422, description="数据校验未通过")
    def post(self, body):
        """Record a repairer's licence revocation (its decision number and date): the repairer is listed under B-4 from that date (audited)."""
        from service.supervision.repairers import record_revocation

        row = record_revocation(_actor(), **body)
        db.session.commit()
        return row
