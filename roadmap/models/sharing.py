"""Share links: a secret, read-only, revocable address of one roadmap, optionally behind a
password, narrowed to some priorities or cycles, and open to reviewers' feedback."""

from __future__ import annotations

import contextlib
import functools
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import connection, models
from django.utils import timezone

from roadmap.models.core import (
    COMMITTED_STATUSES,
    Cycle,
    InitiativeQuerySet,
    InitiativeStatus,
    Roadmap,
)
from roadmap_site.models import (
    Organization,
    OrgManager,
    OrgOwned,
    OrgQuerySet,
    hash_token,
    new_token,
)

__all__ = ["ShareLink", "ShareLinkQuerySet"]


@functools.cache
def _find_active_sql() -> str:
    """`SELECT` every column of the link, its roadmap and its organisation (the order
    `from_db` reads them in) of the active link with a token hash."""
    tables = {"l": ShareLink, "r": Roadmap, "o": Organization}
    columns = ", ".join(
        f'{alias}."{field.column}"'
        for alias, model in tables.items()
        for field in model._meta.concrete_fields
    )
    return (
        f"SELECT {columns} FROM {ShareLink._meta.db_table} l"  # noqa: S608 (names from the models)
        f" JOIN {Roadmap._meta.db_table} r ON r.id = l.roadmap_id"
        f" JOIN {Organization._meta.db_table} o ON o.id = l.org_id"
        " WHERE l.token_hash = %s AND l.revoked_at IS NULL"
        " AND (l.expires_at IS NULL OR l.expires_at > %s)"
    )


class ShareLinkQuerySet(OrgQuerySet):
    def active(self) -> ShareLinkQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ShareLink(OrgOwned):
    """A secret, read-only, revocable link to one roadmap.

    Only the SHA-256 of the token is stored: the token is shown once, when the link is
    made, and a leaked database does not reveal working links.
    """

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(
        max_length=150, blank=True, help_text="What the link is for, e.g. “Q1 roadmap review”."
    )
    audience = models.CharField(
        max_length=150, blank=True, help_text="Who reads it, e.g. “Exec team” or “HRBPs EMEA”."
    )
    # Django's password hasher output; empty for a link without a password.
    password_hash = models.CharField(max_length=128, blank=True, editable=False)
    # Scope: empty = the whole roadmap; otherwise only initiatives serving one of these
    # priorities and/or planned in one of these cycles (both narrow when both are chosen).
    priorities = models.ManyToManyField("strategy.Priority", blank=True, related_name="+")
    cycles = models.ManyToManyField(Cycle, blank=True, related_name="+")
    allow_feedback = models.BooleanField(
        "reviewers may leave feedback",
        default=False,
        help_text="Readers answer three questions and comment on initiatives; you triage it.",
    )
    # Views are counted in the cache and written with "last used", once a minute at most.
    view_count = models.PositiveIntegerField(default=0, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    # The Share phase shows what we commit to; proposals only when the team chooses to ask
    # the business about them.
    include_proposed = models.BooleanField(
        "include proposed initiatives",
        default=False,
        help_text="Also show initiatives not committed yet, marked “Proposed”.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(ShareLinkQuerySet)()
    views: int  # set by `with_pending_views`
    _scope_ids: tuple[list[int], list[int]]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or f"Share link {self.pk}"

    @classmethod
    def issue(
        cls,
        *,
        roadmap: Roadmap,
        created_by,
        label: str = "",
        expires_at=None,
        include_proposed: bool = False,
        audience: str = "",
        password: str = "",
        allow_feedback: bool = False,
        priorities=(),
        cycles=(),
    ):
        """Make a link; returns it with the token, which is never stored and shown once."""
        token = new_token()
        link = cls.objects.create(
            org=roadmap.org,
            roadmap=roadmap,
            label=label,
            audience=audience,
            include_proposed=include_proposed,
            allow_feedback=allow_feedback,
            password_hash=make_password(password) if password else "",
            created_by=created_by,
            expires_at=expires_at,
            token_hash=hash_token(token),
        )
        if priorities:
            link.priorities.set(priorities)
        if cycles:
            link.cycles.set(cycles)
        return link, token

    @classmethod
    def find_active(cls, token: str) -> ShareLink | None:
        """The active link of `token` with its roadmap and organisation, in one query.

        Every request under a link starts here, so it is written once as SQL: the ORM
        spent about 1-4 ms compiling the same three-table select on each request, more than
        the rest of a cached page's work. Same rows, same rule as `active()`."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_find_active_sql(), [hash_token(token), now])
            row = cursor.fetchone()
        if row is None:
            return None
        start = 0

        def build[M: models.Model](model: type[M]) -> M:
            """The model's columns of the row, through the same converters the ORM applies
            (SQLite returns times as text, PostgreSQL JSON as strings on some drivers)."""
            nonlocal start
            names, values = [], []
            for field in model._meta.concrete_fields:
                value = row[start]
                start += 1
                column = field.get_col(model._meta.db_table)
                converters = connection.ops.get_db_converters(column)
                for convert in converters + column.get_db_converters(connection):
                    value = convert(value, column, connection)
                names.append(field.attname)
                values.append(value)
            return model.from_db(connection.alias, names, values)

        link, roadmap, org = build(cls), build(Roadmap), build(Organization)
        roadmap._state.fields_cache["org"] = org
        link._state.fields_cache["roadmap"] = roadmap
        link._state.fields_cache["org"] = org
        return link

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active else "expired"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def check_password(self, raw: str) -> bool:
        return self.has_password and check_password(raw, self.password_hash)

    def scope_ids(self) -> tuple[list[int], list[int]]:
        """The chosen priorities' and cycles' ids (empty: not narrowed), in one query."""
        if not hasattr(self, "_scope_ids"):
            rows = ShareLink.objects.filter(pk=self.pk).values_list("priorities", "cycles")
            priorities = sorted({p for p, _c in rows if p is not None})
            cycles = sorted({c for _p, c in rows if c is not None})
            self._scope_ids = (priorities, cycles)
        return self._scope_ids

    @property
    def is_scoped(self) -> bool:
        priorities, cycles = self.scope_ids()
        return bool(priorities or cycles)

    def initiatives(self) -> InitiativeQuerySet:
        """What the link shows: the commitments, and the proposals if the link says so,
        within its scope. Every page under the link resolves an initiative through this."""
        statuses = list(COMMITTED_STATUSES)
        if self.include_proposed:
            statuses.append(InitiativeStatus.PROPOSED)
        initiatives = self.roadmap.initiatives.for_ledger().filter(status__in=statuses)
        # The names an initiative's card prints, as columns: the page can then load its
        # initiatives without their people and priority as rows (`SHARED_INITIATIVE_FIELDS`).
        named = initiatives.annotate(
            owner_name=models.F("owner__name"),
            accountable_name=models.F("accountable__name"),
            priority_name=models.F("priority__capability"),
        )
        return self.in_scope(named)

    def in_scope(self, initiatives: InitiativeQuerySet) -> InitiativeQuerySet:
        """`initiatives` narrowed to the link's priorities and cycles, if it has any."""
        priorities, cycles = self.scope_ids()
        if priorities:
            initiatives = initiatives.filter(priority_id__in=priorities)
        if cycles:
            initiatives = initiatives.filter(cycle_id__in=cycles)
        return initiatives

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    # "Last used" is shown to the minute: a link opened again within it is not written
    # again. Twenty readers of one link would otherwise queue on the lock of its row. Views
    # in between are counted in the cache and added by that one UPDATE.
    USE_RECORDED_EVERY = timedelta(minutes=1)

    @property
    def _views_key(self) -> str:
        return f"share-views:{self.pk}"

    def mark_used(self, *, view: bool = True) -> None:
        """Note a use (a view of the page when `view`); write the time and the views counted
        since, at most once a minute."""
        key = self._views_key
        if view and not cache.add(key, 1, timeout=None):
            try:
                cache.incr(key)
            except ValueError:  # evicted between the two calls
                cache.set(key, 1, timeout=None)
        now = timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < self.USE_RECORDED_EVERY:
            return
        pending = cache.get(key) or 0
        if pending:
            with contextlib.suppress(ValueError):
                cache.decr(key, pending)
        ShareLink.objects.filter(pk=self.pk).update(
            last_used_at=now, view_count=models.F("view_count") + pending
        )
        self.last_used_at = now
        self.view_count += pending

    @staticmethod
    def with_pending_views(links: list[ShareLink]) -> list[ShareLink]:
        """`views` on each link: the written count plus what the cache holds, one lookup."""
        pending = cache.get_many([link._views_key for link in links])
        for link in links:
            link.views = link.view_count + int(pending.get(link._views_key, 0))
        return links
