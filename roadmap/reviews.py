"""The Share phase's review workflow: a reviewer's answers and comments through a share link,
the leadership touchpoint a senior's review counts as, and the batched e-mail that tells a
roadmap's owner what came in.

The e-mail is batched: beat runs `send_all_feedback_mail` every 15 minutes
(CELERY_BEAT_SCHEDULE); each address gets one message with everything new since the last
one, and the feedback it names is marked sent in the same transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from measurement.alignment import record_touchpoint
from measurement.models import Forum
from roadmap.models import Feedback, Initiative, ShareLink, ShareReview
from roadmap_site.models import Membership, Organization, Person

logger = logging.getLogger(__name__)


def submit_review(
    *, link: ShareLink, name: str, email: str, answers: dict[str, str]
) -> ShareReview:
    """A reviewer's name, address and answers to the three questions, in one transaction.

    A review by a senior stakeholder of the organisation (matched by e-mail address) is a
    leadership-alignment touchpoint, recorded once per person and day."""
    org = link.org
    with transaction.atomic():
        review = ShareReview.objects.create(
            org=org, link=link, roadmap=link.roadmap, name=name.strip(), email=email.lower()
        )
        Feedback.objects.bulk_create(
            Feedback(org=org, review=review, roadmap=link.roadmap, question=question, text=text)
            for question, text in answers.items()
        )
        _record_senior_touchpoint(review)
    return review


def _record_senior_touchpoint(review: ShareReview) -> None:
    senior = (
        Person.objects.for_org(review.org)
        .filter(is_senior=True, email__iexact=review.email)
        .order_by("pk")
        .first()
    )
    if senior is None:
        return
    try:
        record_touchpoint(
            org=review.org,
            stakeholder=senior,
            day=timezone.localdate(review.created_at),
            forum=Forum.ROADMAP_REVIEW,
            notes=f"Reviewed “{review.roadmap.title}” through its share link.",
        )
    except ValidationError:  # e.g. the person was archived meanwhile: the review stands
        logger.warning("No touchpoint for review %s", review.pk, exc_info=True)


def add_comment(*, review: ShareReview, initiative: Initiative, kind: str, text: str) -> Feedback:
    return Feedback.objects.create(
        org=review.org,
        review=review,
        roadmap=review.roadmap,
        initiative=initiative,
        kind=kind,
        text=text.strip(),
    )


# The batched e-mail --------------------------------------------------------------------


def _owner_addresses(roadmap_owner_email: str, admins: list[str]) -> list[str]:
    return [roadmap_owner_email.lower()] if roadmap_owner_email else admins


def send_feedback_mail(*, org: Organization, origin: str = "") -> int:
    """E-mail `org`'s new feedback to each roadmap's owner (who made it; the organisation's
    admins when nobody is named), one message per address. Returns how many messages.

    The feedback is claimed under a row lock and marked sent in the sending's transaction:
    two runs at once cannot send it twice, and a failed send leaves it for the next run."""
    origin = origin or settings.SITE_URL
    with transaction.atomic():
        pending = list(
            Feedback.objects.for_org(org)
            .to_notify()
            .select_for_update(of=("self",))
            .select_related("review", "initiative", "roadmap__created_by")
            .order_by("roadmap_id", "created_at", "pk")
        )
        if not pending:
            return 0
        members = Membership.objects.filter(org=org, user__is_active=True)
        admins = sorted(
            members.admins().exclude(user__email="").values_list("user__email", flat=True)
        )
        # A roadmap's maker who has left the organisation (or was deactivated) no longer
        # reads its reviewers' names and comments: the admins do.
        current = set(members.values_list("user_id", flat=True))
        by_address: dict[str, list[Feedback]] = defaultdict(list)
        for item in pending:
            owner = item.roadmap.created_by
            email = owner.email if owner is not None and owner.pk in current else ""
            for address in _owner_addresses(email, admins):
                by_address[address].append(item)
        sent = 0
        for address, items in sorted(by_address.items()):
            # One address at a time, marked as soon as its message is out: a refused address
            # neither re-sends the others' mail at the next run nor holds it back.
            try:
                _message(org=org, address=address, feedback=items, origin=origin).send()
            except Exception:
                logger.exception("Feedback mail of %s to %s failed", org.slug, address)
                continue
            Feedback.objects.filter(pk__in=[item.pk for item in items]).update(
                notified_at=timezone.now()
            )
            sent += 1
    logger.info("Feedback mail of %s: %d message(s) of %d", org.slug, sent, len(by_address))
    return sent


def _message(
    *, org: Organization, address: str, feedback: list[Feedback], origin: str
) -> EmailMultiAlternatives:
    roadmaps: dict[int, dict] = {}
    for item in feedback:
        entry = roadmaps.setdefault(
            item.roadmap_id,
            {
                "roadmap": item.roadmap,
                "url": origin + reverse("roadmap:roadmap_share", args=[item.roadmap_id]),
                "items": [],
            },
        )
        entry["items"].append(item)
    context = {"org": org, "count": len(feedback), "roadmaps": list(roadmaps.values())}
    # One line whatever the organisation's or roadmap's name holds: a line break in a
    # header would refuse the message.
    subject = " ".join(render_to_string("roadmap/email/feedback_subject.txt", context).split())
    text = render_to_string("roadmap/email/feedback.txt", context)
    html = render_to_string("roadmap/email/feedback.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
    message.attach_alternative(html, "text/html")
    return message


def send_all_feedback_mail() -> int:
    """Every organisation's batch (the beat entry); returns how many messages went out."""
    with scopes_disabled():
        org_ids = list(
            Feedback.objects.to_notify().order_by().values_list("org_id", flat=True).distinct()
        )
        orgs = list(Organization.objects.filter(pk__in=org_ids).order_by("pk"))
    total = 0
    for org in orgs:
        with scope(organization=org):
            try:
                total += send_feedback_mail(org=org)
            except Exception:  # one organisation's failure does not hold back the others'
                logger.exception("Feedback mail of %s failed", org.slug)
    return total
