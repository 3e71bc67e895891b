"""Enforcement officers and supervisors: the case queue."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, Page, abort

from models import Case, Reading, Site
from service.auth.guard import protect
from service.extensions import db
from service.review.operations import case_query, case_view
from service.review.schemas import CaseQueryArgsSchema, CaseSchema

blp = Blueprint("review", __name__, description="案件审核")
protect(blp, roles=("admin", "supervisor", "officer"))


class SQLCursorPage(Page):
    @property
    def item_count(self):
        from sqlalchemy import func, select

        return db.session.scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))

    @property
    def items(self):  # the page of rows, one query
        p = self.page_params
        rows = db.session.execute(self.collection.offset((p.page - 1) * p.page_size).limit(p.page_size))
        return [case_view(c, r, code) for c, r, code in rows]


@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(CaseQueryArgsSchema, location="query")
    @blp.response(200, CaseSchema(many=True))
    @blp.paginate(SQLCursorPage)
    def get(self, args):
        """The review queue: 百吨王 first, then by over-limit %."""
        return case_query(args)


@blp.route("/cases/<int:case_id>")
class CaseById(MethodView):
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, description="案件不存在")
    def get(self, case_id: int):
        """One case with its reading's figures and the rule that opened it."""
        case = db.session.get(Case, case_id)
        if case is None:
            abort(404, message="案件不存在")
        reading = db.session.get(Reading, case.reading_id)
        site = db.session.get(Site, case.site_id)
        return case_view(case, reading, site.code)
