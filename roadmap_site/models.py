"""The workspace core: organisations, their members, and the people a roadmap names."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import ScopedManager
from django_scopes.manager import DisabledQuerySet

from roadmap_site.dates import add_months


def new_token() -> str:
    """A URL-safe secret of 256 bits (ASVS asks for at least 128)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """People sign in with their e-mail address; there is no separate username."""

    # Removing inherited fields with None is Django's documented way; django-stubs types
    # them as str, and the manager as auth's UserManager.
    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Month(models.IntegerChoices):
    JANUARY = 1, "January"
    FEBRUARY = 2, "February"
    MARCH = 3, "March"
    APRIL = 4, "April"
    MAY = 5, "May"
    JUNE = 6, "June"
    JULY = 7, "July"
    AUGUST = 8, "August"
    SEPTEMBER = 9, "September"
    OCTOBER = 10, "October"
    NOVEMBER = 11, "November"
    DECEMBER = 12, "December"


def validate_time_zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(f"“{name}” is not a time zone name (try Europe/London).")


class Organization(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    # The business's fiscal year: cycles (quarters) are derived from it.
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        "fiscal year starts in", default=Month.JANUARY, choices=Month.choices
    )
    # Months (learner activity), quarters (touchpoints) and scheduled jobs follow the
    # organisation's clock, not the server's.
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="An IANA time zone such as Europe/London; calendar months are counted in it.",
    )
    is_demo = models.BooleanField(default=False)
    # The "Getting started" checklist on the roadmap list, until someone closes it.
    getting_started_dismissed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped by every write of what all its pages show (people, the business calendar, its
    # name): part of every cache key of its pages (roadmap_site/cache.py).
    version = models.PositiveIntegerField(default=0, editable=False)
    # `version` as of the last write of anything but KPI values (`bump_org(figures_only=
    # True)`): what a reader that never reads KPI values keys its entries on, so a corrected
    # value leaves them alone. Equal to `version` after every other write.
    steady_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def unique_slug(cls, name: str) -> str:
        base = slugify(name)[:140] or "team"
        slug, n = base, 1
        while cls.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    # A fiscal year is named by the calendar year it ends in: with a February start, FY27
    # runs from 1 February 2026 to 31 January 2027.

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone (UTC when the stored name is unknown)."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def today(self) -> date:
        """Today's date on the organisation's clock."""
        return timezone.now().astimezone(self.zone).date()

    def fiscal_year_of(self, day: date) -> int:
        """The fiscal year `day` falls in."""
        start_month = self.fiscal_year_start_month
        return day.year if start_month == 1 or day.month < start_month else day.year + 1

    def fiscal_year_bounds(self, fiscal_year: int) -> tuple[date, date]:
        """The first and last day (both included) of a fiscal year."""
        start_month = self.fiscal_year_start_month
        start = date(fiscal_year if start_month == 1 else fiscal_year - 1, start_month, 1)
        return start, add_months(start, 12) - timedelta(days=1)

    def fiscal_quarter_bounds(self, day: date) -> tuple[date, date]:
        """The first and last day (both included) of the fiscal quarter `day` falls in:
        quarters count three months at a time from the month the fiscal year starts."""
        into_quarter = (day.month - self.fiscal_year_start_month) % 3
        start = add_months(day.replace(day=1), -into_quarter)
        return start, add_months(start, 3) - timedelta(days=1)

    def fiscal_quarter_label(self, day: date) -> str:
        """ "Q3 FY27": the fiscal quarter `day` falls in, as the business names it."""
        quarter = (day.month - self.fiscal_year_start_month) % 12 // 3 + 1
        return f"Q{quarter} FY{self.fiscal_year_of(day) % 100:02d}"

    def default_fiscal_year(self, today: date) -> int:
        """The fiscal year to plan by default: the one that holds most of the coming twelve
        months. On 29 November with a January start that is next year, not the one ending
        in a month; an even split (1 July) keeps the current year."""
        current = self.fiscal_year_of(today)
        current_end = self.fiscal_year_bounds(current)[1]
        left_in_current = (current_end - today).days + 1
        coming = (add_months(today, 12) - today).days
        return current if 2 * left_in_current >= coming else current + 1


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def admins(self) -> MembershipQuerySet:
        return self.filter(role=Role.ADMIN)


class Membership(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "user"], name="one_membership_per_org"),
        ]
        ordering = ["org__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.org} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.EDITOR)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def change_role(self, role: str) -> None:
        """Change the role, refusing to leave the organisation without an admin."""
        if (
            self.role == Role.ADMIN
            and role != Role.ADMIN
            and not self.org.memberships.admins().exclude(pk=self.pk).exists()
        ):
            raise ValueError("An organisation needs at least one admin.")
        self.role = role
        self.save(update_fields=["role"])


class OrgQuerySet(models.QuerySet):
    """Every domain row belongs to one organisation: reads start here."""

    def for_org(self, org: Organization) -> Self:
        return self.filter(org=org)


class OutOfScopeQuerySet(DisabledQuerySet):
    """What an organisation's manager gives outside a scope: any query raises `ScopeError`.

    Unlike django-scopes' own, `.all()` stays lazy: Django builds a ModelForm's foreign-key
    fields at import (and copies them per form with `.all()`), long before any request.
    Such a field still raises when its choices are read, unless the form set them for
    its organisation.
    """

    def all(self) -> OutOfScopeQuerySet:
        return self._clone()


# django-scopes builds its manager class inside a function call (`ScopedManager(...)`), which
# neither mypy nor the django-stubs plugin can follow, so every `objects` lost its QuerySet's
# methods. `OrgManager` is a plain module-level class over django-scopes' generated one, and
# each model takes `OrgManager.from_queryset(MyQuerySet)()`: the one spelling the plugin types
# (`objects` and the reverse relations both get MyQuerySet's methods). Only mypy sees the
# stub-only base below (typings/django_scopes); at runtime the base is django-scopes' own class,
# so scoping is unchanged.
if TYPE_CHECKING:
    from django_scopes.manager import _ScopedManager as _ScopedBase
else:
    _ScopedBase = type(ScopedManager(organization="org"))
_OrgManagerBase = _ScopedBase.from_queryset(OrgQuerySet)


class OrgManager(_OrgManagerBase):
    """The manager of an organisation's rows: `OrgManager.from_queryset(MyQuerySet)()`.

    Scoped by django-scopes: inside `scope(organization=org)` every query is filtered to
    `org`; outside any scope a query raises `ScopeError` instead of reading every tenant.
    Views get their scope from `member_required` (or `enter_org_scope` on public pages);
    tasks, commands and tests open one explicitly, or `scopes_disabled()` on purpose.
    Forward foreign keys and cascades use the plain base manager and are not scoped.
    """

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if isinstance(queryset, DisabledQuerySet):
            return OutOfScopeQuerySet(
                self.model, using=self._db, missing_scopes=queryset.missing_scopes
            )
        return queryset


def org_manager(queryset_class: type[OrgQuerySet] = OrgQuerySet) -> OrgManager:
    """The same manager as `OrgManager.from_queryset(queryset_class)()`, for models not yet
    moved to that spelling; mypy cannot see `queryset_class`'s methods through this call."""
    return OrgManager.from_queryset(queryset_class)()


class OrgOwned(models.Model):
    """A row that belongs to one organisation: its `org` and the scoped manager.

    Give a model its own QuerySet with
    `objects: ClassVar = OrgManager.from_queryset(MyQuerySet)()`; the bare `ClassVar` keeps
    the type the plugin infers and lets it override this one (django-stubs types managers as
    ClassVars, and an unannotated override reads as an instance variable: its issue #1712).
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    objects = OrgManager()

    class Meta:
        abstract = True


class Person(OrgOwned):
    """Someone a roadmap names: owner, accountable leader, SME, stakeholder.

    A person may or may not have an account; `user` links them when they do.
    """

    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    title = models.CharField("job title", max_length=150, blank=True)
    department = models.CharField(max_length=150, blank=True)
    is_ld_team = models.BooleanField(
        "in the L&D team", default=False, help_text="Does L&D work; owns initiatives."
    )
    is_senior = models.BooleanField(
        "senior stakeholder",
        default=False,
        help_text="A business leader whose alignment the roadmap tracks with touchpoints.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="person_name_unique_in_org"),
        ]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class InvitationQuerySet(OrgQuerySet):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked: what the members page lists (expired ones too,
        so an admin can resend them)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self) -> InvitationQuerySet:
        return self.open().filter(expires_at__gt=timezone.now())


class InvitationRefused(Exception):
    """The invitation cannot be accepted by this user (another address, or already used)."""


class Invitation(OrgOwned):
    """An admin invites someone by e-mail; the link carries a secret stored hashed.

    The invitation binds to its address: only an account with that e-mail (in any case) can
    accept it, once, before it expires. Resending replaces the secret, so the old link dies.
    """

    VALID_FOR = timedelta(days=7)

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(InvitationQuerySet)()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.org}"

    @classmethod
    def issue(
        cls, *, org: Organization, email: str, role: str, invited_by
    ) -> tuple[Invitation, str]:
        """Create an invitation and return it with its token, which is never stored."""
        token = new_token()
        invitation = cls.objects.create(
            org=org,
            email=email.lower(),
            role=role,
            invited_by=invited_by,
            token_hash=hash_token(token),
            expires_at=timezone.now() + cls.VALID_FOR,
        )
        return invitation, token

    @classmethod
    def find(cls, token: str) -> Invitation | None:
        return (
            cls.objects.pending().select_related("org").filter(token_hash=hash_token(token)).first()
        )

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def masked_email(self) -> str:
        """Enough for its owner to recognise the address, not enough to harvest it."""
        local, _, domain = self.email.partition("@")
        return f"{local[:1]}…@{domain}"

    def is_for(self, user) -> bool:
        return user.email.lower() == self.email.lower()

    def renew(self) -> str:
        """A new secret and a new expiry; the old link stops working. Returns the token."""
        token = new_token()
        self.token_hash = hash_token(token)
        self.expires_at = timezone.now() + self.VALID_FOR
        self.save(update_fields=["token_hash", "expires_at"])
        return token

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def accept(self, user) -> Membership:
        """Join the organisation; refused for another address or if already used.

        The claim is one conditional UPDATE, so two simultaneous accepts cannot both win.
        """
        if not self.is_for(user):
            raise InvitationRefused(f"This invitation was sent to {self.masked_email}.")
        now = timezone.now()
        claimed = (
            Invitation.objects.pending()
            .filter(pk=self.pk, token_hash=self.token_hash)
            .update(accepted_at=now)
        )
        if not claimed:
            raise InvitationRefused("This invitation has expired or was already used.")
        self.accepted_at = now
        membership, _ = Membership.objects.get_or_create(
            org=self.org, user=user, defaults={"role": self.role}
        )
        return membership


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiTokenQuerySet(OrgQuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def with_standing(self) -> ApiTokenQuerySet:
        """Annotate `creator_may_write`: whether the person who created each token is
        still an active admin or editor of its organisation (see `ApiToken.creator_left`)."""
        return self.annotate(
            creator_may_write=Exists(
                Membership.objects.filter(
                    org=OuterRef("org"),
                    user=OuterRef("created_by"),
                    user__is_active=True,
                    role__in=[Role.ADMIN, Role.EDITOR],
                )
            )
        )


class ApiToken(OrgOwned):
    """What another system (an LMS, an HRIS, a script) signs API requests with.

    The header is `Authorization: Bearer <key>.<secret>`. The key is public (it names the
    token in lists and logs); only the secret's SHA-256 is stored, so the secret is shown
    once, when the token is created. A revoked token is refused from the next request on.
    """

    # `last_used_at` is written at most this often, not on every request.
    LAST_USED_PRECISION = timedelta(minutes=1)

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. “LMS nightly”.")
    scope = models.CharField(max_length=10, choices=ApiScope.choices, default=ApiScope.READ)
    key = models.CharField(max_length=32, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    # Null only for tokens the system made (the demo's). A person's token goes with them:
    # SET_NULL would turn it into a system token that no one's standing governs.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(ApiTokenQuerySet)()
    creator_may_write: bool  # annotated by ApiTokenQuerySet.with_standing()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @classmethod
    def issue(cls, *, org: Organization, name: str, scope: str, created_by) -> tuple[ApiToken, str]:
        """Create a token; returns it with the full `<key>.<secret>`, which is never stored."""
        secret = new_token()
        token = cls.objects.create(
            org=org,
            name=name,
            scope=scope,
            key=secrets.token_urlsafe(9),
            secret_hash=hash_token(secret),
            created_by=created_by,
        )
        return token, f"{token.key}.{secret}"

    @classmethod
    def authenticate(cls, credentials: str) -> ApiToken | None:
        """The active token these `<key>.<secret>` credentials name, or None.

        Looked up by its public key across organisations (the token says which one), so
        call it outside any scope or under `scopes_disabled()`. Notes the use, at most once
        a minute.
        """
        key, dot, secret = credentials.strip().partition(".")
        if not dot or not key or not secret:
            return None
        token = cls.objects.active().with_standing().select_related("org").filter(key=key).first()
        if token is None or not secrets.compare_digest(token.secret_hash, hash_token(secret)):
            return None
        if token.creator_left:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= cls.LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @property
    def can_write(self) -> bool:
        return self.scope == ApiScope.WRITE

    @property
    def creator_left(self) -> bool:
        """A token acts with its creator's authority: once they are no longer an admin or
        editor of the organisation (demoted to viewer, removed, deactivated), it is refused
        until they are again. A token without a creator was issued by the system (a
        command, the demo) and stands on its own. Needs `with_standing()`."""
        return self.created_by_id is not None and not self.creator_may_write

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
