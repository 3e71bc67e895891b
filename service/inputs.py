"""What a request may bring before any view sees it, checked once for the whole app.

* **Ids in URLs.** `<int:…>` is bounded to what a database integer holds (2^63 − 1): a larger
  id is a 404 like any unknown one, instead of an overflow inside the query (HTTP 500). The
  bound is in the OpenAPI spec too (flask-smorest documents a converter's min and max).
* **JSON bodies.** Parsed here first: a body too large (413), nested deeper than the parser
  can follow (RecursionError), or holding a lone UTF-16 surrogate ("\\ud800" — valid JSON
  syntax, but no text column can store it, RFC 7493 §2.1) is refused with 400 and a message,
  instead of failing deep inside a view. A view that parses its own body item by item (the
  readings batch, where one bad item must not refuse the others) says so with
  `own_json_body = True` on its MethodView.
"""

from __future__ import annotations

import io
import json
import re
import tempfile

from flask import Flask, current_app, request
from flask_smorest import abort
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # how a surrogate arrives in a JSON body


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` with an upper bound a database integer can hold."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > len(str(DB_INT_MAX)):  # int() of 5,000 digits is refused by Python itself
            from werkzeug.routing import ValidationError

            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter is bound when a rule is added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_check_json_body)
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app)


def read_body(limit: int) -> bytes:
    """The request body, or 413 when it is longer than `limit` bytes (a chunked one included: it
    arrives sized, see ChunkedBodyLimit). One byte over is read to tell a body that is too long,
    where Werkzeug's own limit would cut it short without a word (the JSON then looked broken, 400)."""
    if request.content_length is not None and request.content_length > limit:
        abort(413, message=f"请求体超过 {limit} 字节上限")
    request.max_content_length = limit + 1
    data = request.get_data(cache=True)
    if len(data) > limit:
        abort(413, message=f"请求体超过 {limit} 字节上限")
    return data


class ChunkedBodyLimit:
    """A chunked request body (no Content-Length) is read here, up to MAX_CONTENT_LENGTH, and
    passed on as a sized one: every limit then applies to it as to any other body, a view's own
    (413 by read_body) and the app's (413 by Werkzeug when the form or upload is read). One over
    the limit is passed on as that many bytes and no content, so whoever reads it answers 413."""

    SPOOL = 1024 * 1024  # larger chunked bodies wait in a temporary file, not in memory

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        # Transfer-Encoding wins over a Content-Length sent with it (RFC 9112 §6.3).
        if chunked and environ.get("wsgi.input_terminated"):
            self._sized(environ, self.app.config["MAX_CONTENT_LENGTH"])
        return self.wsgi_app(environ, start_response)

    def _sized(self, environ, limit: int) -> None:
        body, size, stream = tempfile.SpooledTemporaryFile(self.SPOOL), 0, environ["wsgi.input"]
        while size <= limit and (chunk := stream.read(min(64 * 1024, limit + 1 - size))):
            size += len(chunk)
            body.write(chunk)
        body.seek(0)
        environ["wsgi.input"] = body if size <= limit else io.BytesIO(b"")
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False


def load_json(data: bytes):
    """The parsed body, or abort(400) with why it cannot be used."""
    try:
        body = json.loads(data)
    except RecursionError:
        abort(400, message="请求体 JSON 嵌套层数过深")
    except (ValueError, UnicodeDecodeError):
        abort(400, message="请求体不是有效的 JSON")
    return body


def has_lone_surrogate(value) -> bool:
    """Whether any string or key in a parsed JSON value holds a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _check_json_body() -> None:
    if not request.is_json or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(getattr(view, "view_class", None), "own_json_body", False):
        return
    data = read_body(current_app.config["MAX_JSON_BODY_BYTES"])  # cached: webargs reads it again
    if not data:
        return
    body = load_json(data)
    if _ESCAPE.search(data) and has_lone_surrogate(body):
        abort(400, message="请求体含有无效的 Unicode 字符（孤立的代理项，如 \\ud800）")
