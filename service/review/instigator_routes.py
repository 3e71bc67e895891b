"""指使强令者 (F-INSTIGATE): record on a case who instructed or forced the overload, which opens the
instigator's matter with the transport authority (service/procedure/instigator.py). Officers,
supervisors and source investigators (their 倒查 finds who loaded and who ordered it) may."""

from __future__ import annotations

from marshmallow import fields, validate

from service.procedure.instigator import NAME_MAX, REASON_MAX
from service.review.matter_routes import blp, documented, matter_detail
from service.review.routes import take
from service.review.schemas import MatterDetailSchema, _Strict


class InstigatorCreateSchema(_Strict):
    """A registered enterprise, or the person or unit by name; and the facts with their evidence."""

    enterprise_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    name = fields.String(allow_none=True, validate=validate.Length(max=NAME_MAX),
                         metadata={"description": "姓名或名称（未选择登记簿企业时必填）"})  # fmt: skip
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_MAX),
                           metadata={"description": "指使、强令的事实和证据（如驾驶人笔录、微信记录、装载单）"})  # fmt: skip


@blp.route("/cases/<int:case_id>/instigators", methods=["POST"])
@blp.arguments(InstigatorCreateSchema)
@blp.response(201, MatterDetailSchema)
@documented
def case_record_instigator(body, case_id: int):
    """Record who instructed or forced the driver to overload (指使强令者): their matter opens with the transport authority."""
    _, effect = take(case_id, "instigator", body)
    return matter_detail(effect.result, 201)
