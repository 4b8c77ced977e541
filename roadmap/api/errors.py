"""JSON errors: the same shape (`ErrorOut`: detail, errors per field) for every refusal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

# What ninja says (400) when a JSON body does not parse; we say it in our words.
NINJA_UNPARSABLE = "Cannot parse request body"


class ApiError(HttpError):
    """An HttpError with messages per field."""

    def __init__(self, status_code: int, message: str, errors: dict[str, list[str]]):
        super().__init__(status_code, message)
        self.errors = errors


def not_found(what: str, pk: int) -> HttpError:
    return HttpError(404, f"No {what} {pk} in this organisation.")


def form_errors(form: BaseForm) -> dict[str, list[str]]:
    """A form's messages by field, `__all__` for the form as a whole."""
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def _where(loc: list[Any]) -> str:
    """`["body", "payload", "items", 3, "value"]` → `items.3.value`; a query or path
    parameter by its name."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]  # "body" and the view's parameter name; nothing left: the body
    elif parts and parts[0] in ("query", "path", "header"):
        parts = parts[1:]
        if parts and parts[0] == "ninja_pagination":  # the paginator's own parameters
            parts = parts[1:]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_where(list(error.get("loc", []))), []).append(error["msg"])
        first = next(iter(errors.items()))
        detail = f"Invalid input: {first[0]}: {first[1][0]}"
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = exc.message
        if message == NINJA_UNPARSABLE:
            message = "The request body is not valid JSON (send Content-Type: application/json)."
        body: dict[str, Any] = {"detail": message}
        if isinstance(exc, ApiError):
            body["errors"] = exc.errors
        return api.create_response(request, body, status=exc.status_code)

    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request,
            {
                "detail": "Send a valid API token: Authorization: Bearer <key>.<secret>. "
                "Revoked tokens are refused."
            },
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return api.create_response(
            request,
            {
                "detail": "The request body is too large: send at most 10,000 learner "
                "events, or 1,000 other items, per batch."
            },
            status=413,
        )

    # ninja types a handler's exception as `T | type[T]`; it is always passed an instance.
    api.add_exception_handler(ValidationError, validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, http_error)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, unauthenticated)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, too_big)  # type: ignore[arg-type]


def unknown_endpoint(request: HttpRequest, rest: str) -> JsonResponse:
    """Anything else under /api/: a JSON 404 that says where the list of endpoints is, not
    the site's HTML page."""
    return JsonResponse(
        {"detail": f"No API endpoint at /api/{rest}. The endpoints are listed at /api/docs."},
        status=404,
    )
