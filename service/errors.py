"""One error body everywhere: {code, status, message, errors}; one domain error, mapped once."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from flask import Flask, flash, g, jsonify, redirect, render_template, request
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
        body["errors"] = errors
    return jsonify(body), status


def _wants_page() -> bool:
    """Console pages get an HTML error page; the API and /healthz get JSON."""
    return not (request.path.startswith("/api/") or request.path == "/healthz")


def _respond(status: int, message: str | None, errors: dict | None = None):
    if _wants_page():
        text = message or MESSAGES.get(status, "出错了")
        return render_template("console/error.html", status=status, message=text), status
    return error_body(status, message, errors)


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

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        message = data.get("message")
        errors = data.get("errors") or data.get("messages")
        if message is None and exc.description and exc.description != type(exc).description:
            message = exc.description
        return _respond(exc.code or 500, message, errors)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if app.testing or app.config.get("PROPAGATE_EXCEPTIONS"):  # tests: let the traceback surface
            raise exc
        # Never echo the exception to the client; the log has it.
        log.exception("unhandled error")
        return _respond(InternalServerError.code, "服务器内部错误")
