"""The weekly alert digest: each owner gets, by e-mail, the open and unacknowledged alerts
they have not been sent in their current state.

An alert goes to its owner (a Person with an e-mail address); one without an owner, or
whose owner has no address, goes to the organisation's admins. Once sent, an alert is not
sent again until its state changes (`refresh_alerts` clears `notified_state` then) or it
resolves and comes back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from measurement import alerts as rules
from measurement.models import Alert
from roadmap_site.models import Membership, Organization

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    messages: int
    alerts: int


def _admin_addresses(org: Organization) -> list[str]:
    return sorted(
        Membership.objects.filter(org=org)
        .admins()
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def send_digest(*, org: Organization, origin: str = "") -> Sent:
    """E-mail `org`'s digest; returns how many messages and alerts went out.

    The alerts are claimed under a row lock and marked sent in the same transaction as the
    sending, so two runs at once cannot send one alert twice (a failed send rolls back
    and leaves them for the next run).
    """
    origin = origin or settings.SITE_URL
    with transaction.atomic():
        pending = list(
            Alert.objects.for_org(org)
            .to_notify()
            .select_for_update(of=("self",))
            .select_related("owner")
            .order_by("kind", "first_seen", "pk")
        )
        if not pending:
            return Sent(0, 0)
        admins = _admin_addresses(org)
        by_address: dict[str, list[Alert]] = defaultdict(list)
        for alert in pending:
            owner = alert.owner
            for address in [owner.email] if owner is not None and owner.email else admins:
                by_address[address.lower()].append(alert)
        for alert in pending:
            rule = rules.rule_for(alert.kind)
            alert.rule_text = rule.rule_text if rule else ""
        dashboard = origin + reverse("measurement:dashboard")
        messages = [
            _message(org=org, address=address, alerts=items, origin=origin, dashboard=dashboard)
            for address, items in sorted(by_address.items())
        ]
        for message in messages:
            message.send()
        now = timezone.now()
        # Nobody to send an ownerless alert to (no admin with an address): it waits.
        addressed = {alert.pk for items in by_address.values() for alert in items}
        sent = [alert for alert in pending if alert.pk in addressed]
        for alert in sent:
            alert.notified_state, alert.notified_at = alert.state, now
        Alert.objects.bulk_update(sent, ["notified_state", "notified_at"])
    logger.info("Digest of %s: %d alert(s) in %d message(s)", org.slug, len(sent), len(messages))
    return Sent(len(messages), len(sent))


def _message(
    *, org: Organization, address: str, alerts: list[Alert], origin: str, dashboard: str
) -> EmailMultiAlternatives:
    context = {"org": org, "alerts": alerts, "origin": origin, "dashboard": dashboard}
    subject = render_to_string("measurement/email/digest_subject.txt", context).strip()
    text = render_to_string("measurement/email/digest.txt", context)
    html = render_to_string("measurement/email/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
    message.attach_alternative(html, "text/html")
    return message


def send_weekly_digests() -> int:
    """Every organisation's digest, each after a refresh of its alerts; returns how many
    messages went out. What the weekly beat entry runs."""
    with scopes_disabled():
        orgs = list(Organization.objects.order_by("pk"))
    total = 0
    for org in orgs:
        with scope(organization=org):
            rules.refresh_alerts(org, org.today())
            total += send_digest(org=org).messages
    return total


def refresh_all_alerts() -> int:
    """Refresh every organisation's alerts (the hourly beat entry): a new day or quarter
    changes what the rules find even when no data moved. Returns how many organisations."""
    with scopes_disabled():
        orgs = list(Organization.objects.order_by("pk"))
    for org in orgs:
        with scope(organization=org):
            rules.refresh_alerts(org, org.today())
    return len(orgs)
