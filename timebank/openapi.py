"""The OpenAPI document says what the API answers: one error body (errors.ErrorSchema), and for each
operation every status it can return, added here once for all routes from what the route declares
(security, path ids, a body or query, the method) instead of by hand per route."""

from __future__ import annotations

from apispec import BasePlugin
from flask_smorest import Api

from timebank.errors import ErrorSchema
from timebank.limits import INT_MAX, INT_MIN

WRITES = {"post", "put", "patch", "delete"}
STATUS_NAMES = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE", 422: "UNPROCESSABLE_ENTITY", 429: "TOO_MANY_REQUESTS",
}


class TimebankApi(Api):
    """flask-smorest with Timebank's error body and no catch-all `default` response (statuses are listed)."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


def statuses_for(method: str, operation: dict, has_path_ids: bool) -> set[int]:
    """The error statuses an operation can answer with, from what it declares."""
    found: set[int] = set()
    secured = bool(operation.get("security"))
    has_body = "requestBody" in operation
    has_query = any(isinstance(p, dict) and p.get("in") == "query" for p in operation.get("parameters", ()))
    if secured:
        found |= {401, 403, 404}  # no or a bad token; a role or a rule; outside the caller's area looks missing
    if has_path_ids:
        found.add(404)
    if has_query:
        found.add(422)
    if method in WRITES:
        found |= {409, 422}  # state conflicts and business rules of the services
    if method in WRITES or has_body:
        found |= {400, 413, 422}  # malformed JSON, body over the size limit, input limits (limits.py)
    return found


class StatusPlugin(BasePlugin):
    """Adds the statuses of statuses_for() to every operation, each pointing at the shared error response;
    a body whose fields are all optional is documented as optional (the API takes a request without one)."""

    def init_spec(self, spec):
        super().init_spec(spec)
        self.spec = spec

    def _body_optional(self, operation: dict) -> None:
        body = operation.get("requestBody")
        if not body or not body.get("required"):
            return
        for content in body.get("content", {}).values():
            ref = content.get("schema", {}).get("$ref", "")
            schema = self.spec.components.schemas.get(ref.rsplit("/", 1)[-1]) if ref else None
            if schema is not None and not schema.get("required"):
                body["required"] = False

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        has_path_ids = bool(rule is not None and rule.arguments)
        for method, operation in (operations or {}).items():
            self._body_optional(operation)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses_for(method, operation, has_path_ids)):
                responses.setdefault(str(status), STATUS_NAMES[status])
            if path and path.endswith("/auth/tokens") and method == "post":
                responses.setdefault("401", STATUS_NAMES[401])
                responses.setdefault("429", STATUS_NAMES[429])
            if path and path.endswith("/charities/applications") and method == "post":  # signup throttle
                responses.setdefault("429", STATUS_NAMES[429])


NO_NUL = r"^[^\x00]*$"


def input_limits(self, field, **kwargs) -> dict:
    """What limits.py refuses, said in the document: integers fit PostgreSQL's `integer`, text has no NUL
    byte (nor a lone surrogate, which a JSON Schema pattern cannot name: see the description)."""
    from marshmallow import fields, validate

    kinds = {type(v) for v in field.validators}
    if isinstance(field, fields.Integer) and validate.Range not in kinds:
        return {"minimum": INT_MIN, "maximum": INT_MAX}
    if (isinstance(field, fields.String) and not isinstance(field, fields.DateTime | fields.Date)
            and validate.OneOf not in kinds and validate.Regexp not in kinds and not field.dump_only):
        return {"pattern": NO_NUL}
    return {}


def init_app(app, api: Api) -> None:
    """Bind the api with the plugin, the id converter's schema and the integer bounds."""
    from timebank.limits import IdConverter, id_param_schema

    api.init_app(app, spec_kwargs={"extra_plugins": [StatusPlugin()]})
    api.flask_plugin.register_converter(IdConverter, id_param_schema)
    api.ma_plugin.converter.add_attribute_function(input_limits)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
