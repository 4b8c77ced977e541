"""API authentication: `Authorization: Bearer <key>.<secret>`, an organisation's token.

A token is looked up by its public key across organisations (it is what says which one),
then the request works inside that organisation's scope (django-scopes) until its
response is out: a query that forgets the organisation raises instead of leaking.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_scopes import scopes_disabled
from ninja.errors import HttpError
from ninja.security import HttpBearer

from roadmap_site.access import enter_org_scope
from roadmap_site.models import ApiToken


class TokenRequest(HttpRequest):
    """A request the API authenticated (for type checkers)."""

    auth: ApiToken


class TokenAuth(HttpBearer):
    """Any active token (`write=False`), or only one with the write scope (`write=True`).

    A read token on a write endpoint gets 403, not 401: it is a valid token, asked to do
    what it may not.
    """

    def __init__(self, *, write: bool = False):
        super().__init__()
        self.write = write

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        with scopes_disabled():
            api_token = ApiToken.authenticate(token)
        if api_token is None:
            return None
        if self.write and not api_token.can_write:
            raise HttpError(
                403, "This token may only read. An admin can create a token with write scope."
            )
        enter_org_scope(request, api_token.org)
        return api_token


read_token = TokenAuth()
write_token = TokenAuth(write=True)
