"""The OpenAPI schema's refusals: drf-spectacular documents the success response of an operation only;
this AutoSchema adds the error statuses API.md promises, so that clients (and the schemathesis run in
``tests/security/test_api_fuzz.py``) find every status the API answers in ``/api/schema/``.

- 400 ``{"field": ["message"]}``: every write, and every read that takes query parameters (filters, ``page``);
- 401 and 403 ``{"detail": "…"}``: every operation that needs a signed-in user;
- 404 ``{"detail": "…"}``: every operation on an object (a path with ``{id}``): missing or outside the scope;
- 409 ``{"detail": "…"}``: every write on a model with a ``status`` (its transitions are checked by the services);
- 415 ``{"detail": "…"}``: every operation that reads a body (sent without a Content-Type, or one it does not read).

A status an operation already documents (``@extend_schema(responses={…})``) is left as it is.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

ERROR_DETAIL = "ErrorDetail"
VALIDATION_ERROR = "ValidationError"
ERROR_COMPONENTS: dict[str, dict[str, Any]] = {
    ERROR_DETAIL: {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "description": "Why the request was refused.",
    },
    VALIDATION_ERROR: {
        "type": "object",
        "additionalProperties": {},
        "description": (
            "Invalid input: each field name maps to a list of messages (``non_field_errors`` for the whole body); "
            "a body that cannot be parsed gives ``detail``."
        ),
    },
}
DESCRIPTIONS = {
    "400": "Invalid input.",
    "401": "Not signed in: no session, or a missing or wrong token.",
    "403": "Signed in, but this user's role or unit may not do this.",
    "404": "No such object, or the object is outside the user's scope.",
    "409": "Not allowed from the object's current status.",
    "415": "The body's Content-Type is missing or not one this operation reads.",
}


def _model_has_status(view: Any) -> bool:
    serializer_class = getattr(view, "serializer_class", None)
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    if model is None:
        return False
    return any(field.name == "status" for field in model._meta.get_fields())


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self._error_statuses(operation):
            if code not in responses:
                responses[code] = self._error_response(code)
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        security = operation.get("security", [])
        writes = self.method in WRITE_METHODS
        codes = []
        if writes or any(p.get("in") == "query" for p in parameters):
            codes.append("400")
        if security and {} not in security:
            codes += ["401", "403"]
        if any(p.get("in") == "path" for p in parameters):
            codes.append("404")
        if writes and _model_has_status(self.view):
            codes.append("409")
        if "requestBody" in operation:
            codes.append("415")
        return codes

    def _error_response(self, code: str) -> dict[str, Any]:
        name = VALIDATION_ERROR if code == "400" else ERROR_DETAIL
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=f"fuyuan.lib.schema.{name}", schema=ERROR_COMPONENTS[name]
        )
        self.registry.register_on_missing(component)
        return {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": component.ref}}}
