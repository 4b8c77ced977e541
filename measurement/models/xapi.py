"""xAPI statements as this app keeps them: each statement with its actor replaced by a
pseudonymous key, the activity ids learning platforms send and the program each maps to,
and the per-organisation salt the keys are made with.

Written only through `measurement.xapi.store_statements`.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models
from django.utils import timezone

from measurement.models.programs import Program
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet


def new_salt() -> str:
    return secrets.token_hex(32)


class LearnerSalt(OrgOwned):
    """The secret an organisation's learner keys are made with (HMAC-SHA256 of the actor's
    identifier): the same person gets the same key in one organisation, and keys cannot be
    joined across organisations or turned back into e-mail addresses without it."""

    salt = models.CharField(max_length=64, default=new_salt, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org"], name="learner_salt_once")]

    def __str__(self) -> str:
        return f"learner salt of {self.org_id}"


class ActivityMappingQuerySet(OrgQuerySet):
    def unmapped(self) -> ActivityMappingQuerySet:
        return self.filter(program__isnull=True)


class ActivityMapping(OrgOwned):
    """An xAPI activity id (object.id) a platform sent, and the program it counts for;
    no program until an admin maps it, and until then its statements are only counted."""

    activity_id = models.CharField("activity id", max_length=1000)
    name = models.CharField(max_length=200, blank=True, help_text="As the platform named it.")
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    statements = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(ActivityMappingQuerySet)()

    class Meta:
        ordering = ["-last_seen", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "activity_id"], name="activity_mapping_once"),
        ]

    def __str__(self) -> str:
        return self.name or self.activity_id


class XapiStatementQuerySet(OrgQuerySet):
    def visible(self) -> XapiStatementQuerySet:
        """What queries and GET by id return: every statement but the voided ones."""
        return self.filter(voided=False)


class XapiStatement(OrgOwned):
    """A stored statement: what was sent, with the actor (and any other agent) replaced by
    pseudonymous keys, plus `stored`, `authority` and `version` as the LRS sets them.

    A statement about a StatementRef (a voiding statement above all) has no activity.
    `voids` is the target of a voiding statement; `voided` is set on a target once a
    voiding statement for it is stored (before or after the target itself)."""

    statement_id = models.UUIDField()
    statement = models.JSONField()
    activity = models.ForeignKey(
        ActivityMapping,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statement_rows",
    )
    learner_key = models.CharField(max_length=64)
    verb = models.CharField(max_length=50)
    occurred_at = models.DateTimeField()
    stored = models.DateTimeField(default=timezone.now)
    voids = models.UUIDField(null=True, blank=True)
    voided = models.BooleanField(default=False)

    objects: ClassVar = OrgManager.from_queryset(XapiStatementQuerySet)()

    class Meta:
        constraints = [
            # xAPI: a statement id names one statement; a different one under it is a 409.
            models.UniqueConstraint(fields=["org", "statement_id"], name="xapi_statement_once"),
        ]
        indexes = [
            # Statement queries (`xapi.query_statements`): org = %s AND NOT voided, newest
            # (or oldest) stored first, keyset-paged on (stored, id).
            models.Index(fields=["org", "stored", "id"], name="xapi_statement_stored"),
            # A new statement whose voiding statement came first: org = %s AND voids IN (…).
            models.Index(
                fields=["org", "voids"],
                name="xapi_statement_voids",
                condition=models.Q(voids__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)
