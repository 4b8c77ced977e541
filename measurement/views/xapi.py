"""The xAPI statements resource (/xapi/statements, /xapi/about) for learning platforms,
and the admin page where unknown activity ids are mapped to programs.

The statements resource speaks xAPI 1.0.3, not the JSON API: HTTP Basic with an API
token's key and secret, the version header both ways, JSON bodies only, errors as
`{"detail": ...}`. Plain views: the spec fixes the shapes, so ninja's schema buys nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scopes_disabled

from measurement import xapi
from measurement.forms.xapi import ActivityMappingForm
from measurement.models import ActivityMapping, Program
from roadmap_site.access import AuthedRequest, enter_org_scope, get_for_member, member_required
from roadmap_site.models import ApiToken

ACTIVITIES_PER_PAGE = 100


def _answer(status: int, body: Any = None, **headers: str) -> HttpResponse:
    if body is None:
        response = HttpResponse(status=status)
    else:
        response = JsonResponse(body, status=status, safe=False)
    response[xapi.VERSION_HEADER] = xapi.VERSION
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(status: int, detail: str, **headers: str) -> HttpResponse:
    return _answer(status, {"detail": detail}, **headers)


def _token(request: HttpRequest) -> ApiToken | None:
    kind, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, colon, secret = decoded.partition(":")
    if not colon:
        return None
    with scopes_disabled():
        return ApiToken.authenticate(f"{key}.{secret}")


def _authority(request: HttpRequest, token: ApiToken) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "name": token.name,
        "account": {"homePage": request.build_absolute_uri("/xapi/"), "name": token.key},
    }


def _statement_id(
    request: HttpRequest, name: str = "statementId"
) -> uuid.UUID | HttpResponse | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return _error(400, f"{name} is not a UUID.")


@csrf_exempt
def statements(request: HttpRequest) -> HttpResponse:
    version = request.headers.get(xapi.VERSION_HEADER, "")
    if not xapi.ACCEPTED_VERSION.match(version.strip()):
        return _error(400, f"Send the {xapi.VERSION_HEADER} header, 1.0.x (this LRS: 1.0.3).")
    if request.method not in ("GET", "POST", "PUT"):
        return _error(405, "Use GET, POST or PUT.", Allow="GET, POST, PUT")
    token = _token(request)
    if token is None:
        return _error(
            401,
            "Authenticate with HTTP Basic: an API token's key as user name, its secret as "
            "password. Revoked tokens are refused.",
            WWW_Authenticate='Basic realm="xapi"',
        )
    enter_org_scope(request, token.org)
    if request.method == "GET":
        return _get(request, token)
    statement_id = _statement_id(request)
    if isinstance(statement_id, HttpResponse):
        return statement_id
    if not token.can_write:
        return _error(403, "This token may only read. An admin can create one with write scope.")
    if request.method == "PUT" and statement_id is None:
        return _error(400, "PUT needs the statementId parameter.")
    if request.content_type != "application/json":
        return _error(400, "Send statements as JSON (Content-Type: application/json).")
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        return _error(
            413,
            f"The request body is too large: send at most {xapi.MAX_BATCH:,} "
            "statements, in smaller batches if they are big.",
        )
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, a 5,000-digit number, "[[[[…"
        return _error(400, "The request body is not valid JSON.")
    if request.method == "PUT" and not isinstance(body, dict):
        return _error(400, "PUT takes one statement.")
    batch = body if isinstance(body, list) else [body]
    try:
        ids = xapi.store_statements(
            org=token.org,
            statements=batch,
            authority=_authority(request, token),
            statement_id=statement_id if request.method == "PUT" else None,
        )
    except xapi.StatementError as error:
        return _error(400, str(error))
    except xapi.StatementConflict as error:
        return _error(409, str(error))
    if request.method == "PUT":
        return _answer(204)
    return _answer(200, [str(i) for i in ids])


def _get(request: HttpRequest, token: ApiToken) -> HttpResponse:
    """One statement by statementId (or a voided one by voidedStatementId), or a query:
    a StatementResult page with its `more` link."""
    consistent = timezone.now().isoformat().replace("+00:00", "Z")
    params = {name: request.GET[name] for name in request.GET}
    by_id = [name for name in ("statementId", "voidedStatementId") if name in params]
    if by_id:
        others = sorted(set(params) - set(by_id) - xapi.BY_ID_PARAMS)
        if len(by_id) > 1 or others:
            return _error(
                400,
                f"{by_id[0]} goes alone (with format or attachments at most), not with "
                f"{(by_id[1:] + others)[0]}.",
            )
        try:
            xapi.check_format(params)
        except xapi.StatementError as error:
            return _error(400, str(error))
        statement_id = _statement_id(request, by_id[0])
        if not isinstance(statement_id, uuid.UUID):
            return statement_id or _error(400, f"{by_id[0]} is missing.")
        voided = by_id[0] == "voidedStatementId"
        statement = xapi.statement_as_stored(token.org, statement_id, voided=voided)
        if statement is None:
            what = "voided statement" if voided else "statement"
            return _error(404, f"No {what} {statement_id}.")
        return _answer(200, statement, X_Experience_API_Consistent_Through=consistent)
    try:
        if "more" in params:
            query = xapi.query_from_cursor(token.org, params["more"])
        else:
            query = xapi.parse_query(params, org=token.org)
    except xapi.StatementError as error:
        return _error(400, str(error))
    found, cursor = xapi.query_statements(token.org, query)
    more = (
        f"{reverse('measurement:xapi_statements')}?{urlencode({'more': cursor})}" if cursor else ""
    )
    return _answer(
        200,
        {"statements": found, "more": more},
        X_Experience_API_Consistent_Through=consistent,
    )


@csrf_exempt
@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """Public, as the spec says: which versions this LRS speaks."""
    return _answer(200, {"version": [xapi.VERSION]})


# The admin page ---------------------------------------------------------------------------


@member_required
@require_GET
def activities(request: AuthedRequest) -> HttpResponse:
    """Every activity id platforms have sent, unmapped first, with a program picker each."""
    return _activities_page(request)


def _programs(request: AuthedRequest) -> dict[int, Program]:
    return {p.pk: p for p in Program.objects.for_org(request.org).select_related("initiative")}


def _rows(request: AuthedRequest) -> list[ActivityMapping]:
    return list(
        ActivityMapping.objects.for_org(request.org)
        .select_related("program__initiative")
        # Unmapped first (they need an admin), then by how much they are used.
        .order_by(F("program").asc(nulls_first=True), "-statements", "pk")[:ACTIVITIES_PER_PAGE]
    )


def _activities_page(
    request: AuthedRequest, failed: ActivityMappingForm | None = None
) -> HttpResponse:
    programs = _programs(request)
    rows = _rows(request)
    forms = [
        failed
        if failed is not None and failed.activity.pk == row.pk
        else ActivityMappingForm(activity=row, programs=programs)
        for row in rows
    ]
    context = {
        "forms": forms,
        "unmapped": sum(1 for row in rows if row.program_id is None),
        "section": "xapi",
        "endpoint": request.build_absolute_uri("/xapi/"),
        "can_map": request.membership.is_admin,
    }
    return render(
        request, "measurement/xapi_activities.html", context, status=400 if failed else 200
    )


@member_required(admin=True)
@require_POST
def activity_map(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = get_for_member(request, ActivityMapping, pk=pk)
    form = ActivityMappingForm(request.POST, activity=activity, programs=_programs(request))
    if not form.is_valid():
        return _activities_page(request, failed=form)
    program = form.cleaned_data["program"]
    written = xapi.map_activity(activity=activity, program=program)
    if program is None:
        messages.success(request, f"{activity} is no longer mapped; its statements stay stored.")
    else:
        events = "learner event" if written == 1 else "learner events"
        messages.success(
            request,
            f"{activity} now counts for {program}: {written:,} {events} from the "
            "statements already stored.",
        )
    return redirect("measurement:xapi_activities")
