"""Alert rules and the alerts they raise.

A rule is data: its kind, a label, the rule in words (shown beside every alert it raises)
and an `evaluate(org, today)` that returns `Finding`s. Apps register their rules in
`AppConfig.ready()` (the roadmap's SME rule lives with its data). `refresh_alerts` runs
every rule and upserts what they found as `Alert` rows: new findings open an alert, a
changed state re-opens it (its acknowledgement is cleared), and an open alert no rule
finds any more is resolved. A write that moves the organisation's version (`bump_org`)
queues a refresh once it commits (measurement/tasks.py `refresh_alerts_soon`); beat
refreshes every organisation hourly. The dashboard only reads: when its alerts are behind
the data it says so, asks for a refresh and polls until they have caught up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from measurement.figures import Finding
from measurement.models import Alert, AlertKind, AlertRefresh, Kpi, KpiStatus
from roadmap_site.models import Organization


@dataclass(frozen=True)
class AlertRule:
    kind: AlertKind
    label: str
    rule_text: str
    evaluate: Callable[[Organization, date], Iterable[Finding]]


_rules: dict[str, AlertRule] = {}


def register_rule(rule: AlertRule) -> AlertRule:
    """Register (or replace) the rule of its kind."""
    _rules[rule.kind] = rule
    return rule


def rules() -> list[AlertRule]:
    return list(_rules.values())


def rule_for(kind: str) -> AlertRule | None:
    return _rules.get(kind)


@dataclass(frozen=True)
class Refreshed:
    opened: int
    changed: int
    resolved: int


def refresh_alerts(org: Organization, today: date, *, only_if_stale: bool = False) -> Refreshed:
    """Run every rule for `org` on `today` and bring its alerts in line, in one
    transaction; records the organisation's version it was computed at.

    Refreshes of one organisation take turns (a row lock on its `AlertRefresh`), so two
    views at once cannot both insert the same new alert; with `only_if_stale`, the second
    finds the work done once it gets the lock and returns without redoing it.
    """
    opened = changed = resolved = 0
    with transaction.atomic():
        marker, created = AlertRefresh.objects.select_for_update().get_or_create(
            org=org, defaults={"version": org.version, "day": today}
        )
        done = not created and (marker.version, marker.day) == (org.version, today)
        if only_if_stale and done:
            return Refreshed(0, 0, 0)
        found: dict[tuple[str, str], Finding] = {}
        for rule in rules():
            for finding in rule.evaluate(org, today):
                found[rule.kind, finding.subject] = finding
        now = timezone.now()
        subjects = {subject for _, subject in found}
        existing = {
            (alert.kind, alert.subject): alert
            for alert in Alert.objects.for_org(org)
            .select_for_update()
            .filter(Q(resolved_at__isnull=True) | Q(subject__in=subjects))
        }
        new, touched = [], []
        for (kind, subject), finding in found.items():
            alert = existing.get((kind, subject))
            if alert is None:
                new.append(
                    Alert(
                        org=org,
                        kind=kind,
                        subject=subject,
                        title=finding.title,
                        detail=finding.detail,
                        url=finding.url,
                        state=finding.state,
                        owner_id=finding.owner_id,
                        first_seen=now,
                        last_seen=now,
                    )
                )
                continue
            if alert.resolved_at is not None or alert.state != finding.state:
                # Back, or different from what was acknowledged and sent: it is news again.
                changed += 1
                alert.resolved_at = None
                alert.acknowledged_at = alert.acknowledged_by = None
                alert.ack_note = ""
                alert.notified_state = ""
            alert.title, alert.detail, alert.url = finding.title, finding.detail, finding.url
            alert.state, alert.owner_id, alert.last_seen = finding.state, finding.owner_id, now
            touched.append(alert)
        gone = [a for key, a in existing.items() if key not in found and a.resolved_at is None]
        for alert in gone:
            alert.resolved_at = now
        Alert.objects.bulk_create(new)
        opened = len(new)
        resolved = len(gone)
        Alert.objects.bulk_update(
            touched + gone,
            [
                "title",
                "detail",
                "url",
                "state",
                "owner",
                "last_seen",
                "resolved_at",
                "acknowledged_at",
                "acknowledged_by",
                "ack_note",
                "notified_state",
            ],
        )
        marker.version, marker.day, marker.refreshed_at = org.version, today, now
        marker.save(update_fields=["version", "day", "refreshed_at"])
    return Refreshed(opened=opened, changed=changed, resolved=resolved)


def refresh_if_stale(org: Organization, today: date) -> bool:
    """Refresh when the organisation's data (its version) or the day moved since the last
    refresh. Returns whether it refreshed."""
    if not AlertRefresh.is_stale(org, today):
        return False
    refresh_alerts(org, today, only_if_stale=True)
    return True


# Measurement's own rules (registered in measurement/apps.py) ------------------------------

KPI_OFF_TRACK_RULE = (
    "A KPI whose latest overall value is further behind the straight line from its "
    "baseline to its target than the at-risk tolerance (the KPI page explains the status)."
)


def kpis_off_track(org: Organization, today: date) -> list[Finding]:
    """Every KPI whose status is off track; the KPI's owner gets it in the digest."""
    findings = []
    for kpi in Kpi.objects.for_org(org).with_status():
        assessment = kpi.assess()
        if assessment.status != KpiStatus.OFF_TRACK:
            continue
        latest, expected = assessment.latest, assessment.expected
        unit = f" {kpi.unit}" if kpi.unit else ""
        detail = (
            f"Latest value {float(latest.value):.4g}{unit} on {latest.date:%d %b %Y}; the "
            f"planned trajectory expected {float(expected):.4g}{unit} by then."
            if latest is not None and expected is not None
            else ""
        )
        findings.append(
            Finding(
                subject=f"kpi:{kpi.pk}",
                title=f"{kpi.name} is off track",
                detail=detail,
                url=reverse("measurement:kpi_detail", args=[kpi.pk]),
                # A new reading that is still off track is not news; a KPI that recovers
                # and falls back is (it resolves, then re-opens).
                state=KpiStatus.OFF_TRACK.value,
                owner_id=kpi.owner_id,
            )
        )
    return findings
