"""One error body everywhere: {code, status, message, errors}; one domain error, mapped once."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from flask import Flask, flash, g, jsonify, redirect, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求格式错误",
    401: "未认证或令牌无效",
    403: "无权执行此操作",
    404: "资源不存在",
    405: "不支持的请求方法",
    409: "与当前状态冲突",
    412: "资源已被他人修改，请刷新后重试",
    413: "请求体过大",
    422: "数据校验未通过",
    428: "缺少 If-Match 版本号",
    429: "请求过于频繁",
}


class DomainError(Exception):
    """A refusal a person understands, raised by operations: the HTTP status to answer with,
    a message in Chinese and, for bad fields, `errors` {field: [messages]}."""

    def __init__(self, message: str, status: int = 409, errors: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.errors = message, status, errors


def error_body(status: int, message: str | None = None, errors: dict | None = None):
    from http import HTTPStatus

    body = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message or MESSAGES.get(status, HTTPStatus(status).phrase),
    }
    if errors:
        body["errors"] = _string_keys(errors)
    return jsonify(body), status


def _string_keys(errors):
    """Field errors with every key a string: a form part without a readable name comes back
    from webargs keyed None, which JSON (sorted keys) cannot hold."""
    if isinstance(errors, dict):
        return {(k if isinstance(k, str) else str(k)): _string_keys(v) for k, v in errors.items()}
    return errors


def _wants_page() -> bool:
    """Console pages get an HTML error page; the API and /healthz get JSON."""
    return not (request.path.startswith("/api/") or request.path == "/healthz")


def _respond(status: int, message: str | None, errors: dict | None = None, headers=None):
    if _wants_page():
        text = message or MESSAGES.get(status, "出错了")
        return render_template("console/error.html", status=status, message=text), status, headers or {}
    body, status = error_body(status, message, errors)
    return body, status, headers or {}


def _exception_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error carries (Allow on a 405, WWW-Authenticate on a 401, and those
    given to abort(headers=…)), without its HTML content type."""
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    extra = (getattr(exc, "data", None) or {}).get("headers") or {}
    return headers + list(extra.items())


def _back() -> str:
    """Where a console form returns to after a refusal: the page the view named (`g.return_to`)
    or the form did (`return_to`), else the page it was posted from."""
    target = g.get("return_to") or request.form.get("return_to") or request.referrer or "/"
    parsed = urlparse(target)
    if parsed.netloc and parsed.netloc != request.host:  # never bounce to another site
        return "/"
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        from service.extensions import db

        db.session.rollback()  # nothing of a refused step is kept
        if _wants_page() and request.method == "POST":
            flash(exc.message, "error")
            return redirect(_back(), code=303)
        return _respond(exc.status, exc.message, exc.errors)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _out_of_range(exc: Exception):
        # The last line behind the checks at the edge (service/inputs.py, each schema's bounds):
        # a number or text the database cannot hold (an integer beyond 64 bits, a NUL or an
        # over-long text on PostgreSQL) is the client's input, refused as such; the log names
        # the place so that its own check can be added.
        log.warning("out-of-range input at %s %s: %s", request.method, request.path, type(exc).__name__)
        return _domain(DomainError("数值或文本超出可存储的范围", 422))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        message = data.get("message")
        errors = data.get("errors") or data.get("messages")
        if message is None and exc.description and exc.description != type(exc).description:
            message = exc.description
        return _respond(exc.code or 500, message, errors, _exception_headers(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if app.testing or app.config.get("PROPAGATE_EXCEPTIONS"):  # tests: let the traceback surface
            raise exc
        # Never echo the exception to the client; the log has it.
        log.exception("unhandled error")
        return _respond(InternalServerError.code, "服务器内部错误")
