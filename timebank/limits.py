"""What a request may carry, checked once before any view runs: ids in paths are 1..2^31-1, text holds no
NUL byte and no lone surrogate, JSON is at most 32 levels deep with integers in 32 bits and finite numbers,
bodies are at most 2 MB. A request that breaks a limit is refused (404, 413 or 422/400) with nothing read
further and nothing written."""

from __future__ import annotations

import json
import math
import re

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from werkzeug.serving import WSGIRequestHandler

from timebank.errors import BadInput, DomainError, ValidationFailed, wants_json

INT_MAX = 2**31 - 1  # PostgreSQL `integer`: every id, minute count and quantity column
INT_MIN = -(2**31)
JSON_MAX_DEPTH = 32
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # default of TIMEBANK_UPLOAD_MAX_BYTES: one spreadsheet to import
UPLOAD_OVERHEAD = 64 * 1024  # the multipart envelope and the form's other fields around the file
# Endpoints that take a file upload: their body may reach TIMEBANK_UPLOAD_MAX_BYTES (areas add theirs).
UPLOAD_ENDPOINTS: set[str] = set()
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# Query and form keys that carry ids or page numbers: a digit string there must fit a database integer.
NUMERIC_KEY = re.compile(r"^(id|page|per_page|.*_id|.*_ids)$")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a database id, 1..2^31-1; anything else matches no route (404)."""

    # 1..2147483647 in the pattern itself: a value rejected only by to_python would let Werkzeug answer 405
    # for a path that has a GET rule and a POST rule (it records the other rule's methods before converting)
    regex = (r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
             r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])")

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = INT_MAX,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        self.regex = type(self).regex


def id_param_schema(converter: IdConverter) -> dict:
    return {"type": "integer", "minimum": converter.min or 1, "maximum": converter.max or INT_MAX}


class QuietRequestHandler(WSGIRequestHandler):
    """The development server without its `Server: Werkzeug/x Python/y` banner."""

    def version_string(self) -> str:
        return "timebank"


def bad_text(value: str) -> bool:
    return BAD_TEXT.search(value) is not None


def check_json(value, depth: int = 0) -> str | None:
    """The first reason `value` (parsed JSON) is refused, or None."""
    if depth > JSON_MAX_DEPTH:
        return "depth"
    if isinstance(value, str):
        return "text" if bad_text(value) else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if INT_MIN <= value <= INT_MAX else "integer"
    if isinstance(value, float):
        return None if math.isfinite(value) else "number"
    if isinstance(value, dict):
        for key, item in value.items():
            reason = ("text" if bad_text(key) else None) or check_json(item, depth + 1)
            if reason:
                return reason
        return None
    if isinstance(value, list):
        for item in value:
            reason = check_json(item, depth + 1)
            if reason:
                return reason
    return None


def _depth_exceeded(raw: bytes) -> bool:
    """True when brackets nest deeper than the limit (counted outside strings, without parsing)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > JSON_MAX_DEPTH + 1:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


MESSAGES = {
    "text": lambda: _("输入含有不能保存的字符（空字符或无效的文字编码），请删除后重试"),
    "depth": lambda: _("请求内容嵌套过深"),
    "integer": lambda: _("数字超出允许范围"),
    "number": lambda: _("数字无效"),
}


def _refuse(reason: str):
    message = MESSAGES[reason]()
    if wants_json():
        raise ValidationFailed(message, reason=reason)
    raise BadInput(message, reason=reason)


def _check_pairs(pairs) -> str | None:
    for key, value in pairs:
        if bad_text(key) or (isinstance(value, str) and bad_text(value)):
            return "text"
        digits = value.strip().lstrip("+-") if isinstance(value, str) else ""
        if NUMERIC_KEY.match(key) and digits.isascii() and digits.isdigit():  # "²".isdigit() is True, int() fails
            if not INT_MIN <= int(value) <= INT_MAX:
                return "integer"
    return None


def check_request() -> None:
    """before_request: refuse bad text in the query, the form and JSON; refuse deep or out-of-range JSON."""
    reason = _check_pairs(request.args.items(multi=True))
    if reason:
        _refuse(reason)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = MAX_CONTENT_LENGTH
    if request.endpoint in UPLOAD_ENDPOINTS:
        limit = upload_max_bytes() * 4 // 3 + UPLOAD_OVERHEAD  # a file, or the same file in base64 (API)
        request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        if request.endpoint in UPLOAD_ENDPOINTS:
            raise UploadTooLarge(_("文件超过%(mb)s MB，不能上传。请分成几个较小的文件分别导入。",
                                   mb=upload_max_bytes() // (1024 * 1024)), field="file")
        raise RequestEntityTooLarge()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        reason = _check_pairs(request.form.items(multi=True))
        if reason:
            _refuse(reason)
        for upload in request.files.values():
            if upload.filename and bad_text(upload.filename):
                _refuse("text")
        return
    if request.is_json:
        raw = request.get_data(cache=True)
        if _depth_exceeded(raw):
            _refuse("depth")
        try:
            data = json.loads(raw, parse_constant=_no_constants)
        except _Constant:
            _refuse("number")
        except (ValueError, RecursionError):
            return  # malformed JSON: the parser of the route answers 400 with the error body
        reason = check_json(data)
        if reason:
            _refuse(reason)


def upload_max_bytes() -> int:
    from flask import current_app

    return int(current_app.config.get("TIMEBANK_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES))


class UploadTooLarge(DomainError):
    """A file upload over the configured size: refused before the body is read, with the limit named."""

    status = 413
    code = "request_entity_too_large"


class _Constant(Exception):
    """NaN or Infinity: Python's parser takes them, JSON has no such numbers."""


def _no_constants(name: str):
    raise _Constant(name)


def _bounded_integer_fields() -> None:
    """Every WTForms IntegerField of every page form holds a database integer: a larger number is a form
    error beside the field (422 on the same page), never a database error. Installed once per process."""
    from wtforms import IntegerField

    if getattr(IntegerField, "_timebank_bounded", False):
        return
    original = IntegerField.process_formdata

    def process_formdata(self, valuelist):
        original(self, valuelist)
        if isinstance(self.data, int) and not INT_MIN <= self.data <= INT_MAX:
            self.data = None
            raise ValueError(MESSAGES["integer"]())

    IntegerField.process_formdata = process_formdata
    IntegerField._timebank_bounded = True


def init_app(app) -> None:
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_CONTENT_LENGTH)
    app.before_request(check_request)
    _bounded_integer_fields()


def Id(**kwargs):  # noqa: N802  (a field factory, used like a field class)
    """A database id in a JSON body: a JSON integer (not a string), 1..2^31-1."""
    from marshmallow import fields, validate

    return fields.Integer(strict=True, validate=validate.Range(min=1, max=INT_MAX), **kwargs)


def Count(minimum: int, maximum: int, **kwargs):  # noqa: N802
    """A whole number in a JSON body (minutes, quantities, ages): a JSON integer within [minimum, maximum]."""
    from marshmallow import fields, validate

    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)
