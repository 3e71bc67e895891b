"""The OpenAPI spec says what the service does (issue 16: found by fuzzing the spec).

An apispec plugin, run on every operation as its blueprint is registered, corrects what
flask-smorest states by default and the service does not do:

* `X-Pagination` is sent as a JSON text (`{"total": 3, "total_pages": 1, …}`), not as the
  header-encoded object the default declares;
* a request body is required only when its schema has a required field: the service takes
  a missing body of an all-optional schema (a PATCH changing nothing, a token without a
  label) as `{}`, and the default declared every body required;
* a list whose items are judged one by one (`x-each-item-alone`, the readings batch: a bad
  item is rejected in the 200 answer, the others stored) takes any item, not only a valid one.
"""

from __future__ import annotations

from apispec import BasePlugin

PAGINATION_HEADER = {
    "description": "分页信息，JSON 文本：{total, total_pages, first_page, last_page, page, previous_page, next_page}",
    "schema": {"type": "string"},
}


class TruthfulSpec(BasePlugin):
    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        self._each_item_alone()
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            body = operation.get("requestBody")
            if isinstance(body, dict) and body.get("required"):
                body["required"] = any(self._has_required(c.get("schema")) for c in body.get("content", {}).values())
            for response in (operation.get("responses") or {}).values():
                headers = response.get("headers") if isinstance(response, dict) else None
                if headers and "X-Pagination" in headers:
                    headers["X-Pagination"] = dict(PAGINATION_HEADER)

    def _each_item_alone(self) -> None:
        for schema in self.spec.components.schemas.values():
            for prop in (schema.get("properties") or {}).values():
                if prop.get("x-each-item-alone") and "anyOf" not in prop.get("items", {}):
                    prop["items"] = {"anyOf": [prop["items"], {}]}

    def _has_required(self, schema) -> bool:
        if not isinstance(schema, dict):
            return True  # not a schema this plugin can read: keep what was declared
        ref = schema.get("$ref")
        if ref:
            schema = self.spec.components.schemas.get(ref.rsplit("/", 1)[-1])
            if schema is None:
                return True
        return bool(schema.get("required"))
