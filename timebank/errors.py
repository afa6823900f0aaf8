"""Typed domain errors, mapped once to an HTML page or a JSON body."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken; nothing was written. `message` is shown to the user (translated)."""

    status = 400
    code = "invalid"
    message = _l("请求无法完成")

    def __init__(self, message=None, *, field: str | None = None, **details):
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message
        self.field = field
        self.details = details

    def to_dict(self) -> dict:
        body = {"error": self.code, "message": str(self.message)}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = {k: v for k, v in self.details.items() if isinstance(v, str | int | float)}
        return body


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    message = _l("输入有误")


class BadInput(DomainError):
    """A page's request carried what no field may hold (a NUL byte, a broken character, a huge number)."""

    status = 400
    code = "bad_input"
    message = _l("请求格式有误")


class Duplicate(DomainError):
    status = 409
    code = "duplicate"
    message = _l("记录已存在")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = _l("找不到该记录")


class NotInScope(NotFound):
    """Outside the actor's org subtree: answered exactly like a missing object."""


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = _l("没有权限执行此操作")


class AuthenticationFailed(DomainError):
    status = 401
    code = "authentication_failed"
    message = _l("账号或密码错误")


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
    message = _l("当前状态下不能执行此操作")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = _l("与已有数据冲突")


class ErrorSchema(Schema):
    """The one error body of the API: every 4xx and 5xx answer of /api/v1 has exactly this shape."""

    class Meta:
        ordered = True

    error = fields.String(required=True, metadata={"description": "stable code, e.g. not_found, validation_failed"})
    message = fields.String(required=True, metadata={"description": "for a person, in the request's language"})
    field = fields.String(metadata={"description": "the input field the error is about"})
    details = fields.Dict(keys=fields.String(), metadata={"description": "numbers or words that explain it"})
    errors = fields.Dict(keys=fields.String(), metadata={
        "description": "input errors by location (json, query, headers), then field: a list of messages"})


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _respond(status: int, code: str, message: str, extra: dict | None = None, headers=None):
    """The error as the JSON body of ErrorSchema (API, or a client asking for JSON) or as a page."""
    if wants_json():
        body = {"error": code, "message": message}
        if extra:
            body.update(extra)
        response = jsonify(body)
    else:
        response = current_app.make_response(render_template("errors/error.html", status=status, message=message,
                                                             back=_back_url()))
    response.status_code = status
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _back_url() -> str | None:
    """Where the person was: the referring page on this site (path and query only), never another site."""
    from urllib.parse import urlsplit

    from flask import request

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/") or referrer.path == request.path:
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _first_field(messages) -> str | None:
    """{"json": {"quantity": [...]}} -> "quantity" (the location level is skipped)."""
    for location in messages.values() if isinstance(messages, dict) else ():
        if isinstance(location, dict):
            for name in location:
                return str(name)
    return None


def register_error_handlers(app) -> None:
    from timebank.extensions import db

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        body = error.to_dict()
        headers = []
        if error.status == 401 and request.path.startswith("/api/"):
            headers.append(("WWW-Authenticate", 'Bearer realm="timebank"'))
        return _respond(error.status, body.pop("error"), body.pop("message"), body, headers)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        db.session.rollback()
        return _respond(400, "csrf_failed", _("页面已过期或来源无效，请刷新页面后重试"))

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        messages = {
            400: _("请求格式有误"),
            401: _("请先登录"),
            403: _("没有权限执行此操作"),
            404: _("找不到该页面或记录"),
            405: _("不支持该请求方法"),
            413: _("上传内容过大"),
            422: _("输入有误"),
            429: _("操作过于频繁，请稍后再试"),
        }
        db.session.rollback()
        extra = None
        data = getattr(error, "data", None)
        if isinstance(data, dict) and data.get("messages"):
            extra = {"errors": data["messages"]}
            field = _first_field(data["messages"])
            if field:
                extra["field"] = field  # as a DomainError names it: the first field in error
        code = error.code or 500
        # Keep what the exception says in headers (Allow on 405, WWW-Authenticate on 401, Retry-After on 429).
        headers = error.get_headers() if error.code else []
        return _respond(code, error.name.lower().replace(" ", "_"),
                        messages.get(code, error.description or ""), extra, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _respond(500, "internal_error", _("系统出错了，请稍后再试；如果一直出错，请联系管理员"))
