"""Beat's feedback e-mail on a real Celery worker: the worker finds the new feedback, e-mails
the roadmap's owner one message (to files, through Django's file e-mail backend) and marks
the feedback sent.

Deselected unless CELERY_BROKER_URL is set and the database is PostgreSQL (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from roadmap import reviews
from roadmap.models import Feedback, ShareLink
from roadmap_site.celery import app as celery_app
from tests.factories import MembershipFactory, OrganizationFactory, RoadmapFactory
from tests.roadmap.test_export_worker import celery_worker, wait_for

pytestmark = [pytest.mark.integration]


def test_the_feedback_mail_runs_on_a_real_worker(transactional_db, tmp_path):
    org = OrganizationFactory(name="Northwind")
    owner = MembershipFactory(org=org, user__email="maya@northwind.test").user
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap", created_by=owner)
    link, _token = ShareLink.issue(roadmap=roadmap, created_by=owner, allow_feedback=True)
    for name in ("Elena Rossi", "Aisha Bello"):
        reviews.submit_review(
            link=link, name=name, email=f"{name.split()[0]}@x.test",
            answers={"constraints": f"{name}: the ERP migration in Q2."},
        )  # fmt: skip
    outbox = tmp_path / "outbox"
    outbox.mkdir()

    with celery_worker(tmp_path, env={"EMAIL_URL": f"filemail:///{outbox}"}) as worker:
        celery_app.send_task("roadmap.tasks.send_feedback_mail")  # what beat sends
        wait_for(
            lambda: not Feedback.objects.filter(notified_at__isnull=True).exists(),
            worker,
            "the worker to mark the feedback sent",
        )
        [message] = wait_for(lambda: list(outbox.iterdir()), worker, "the e-mail file")

    text = message.read_text()
    assert "To: maya@northwind.test" in text
    assert "2 new pieces of roadmap feedback" in text
    assert "Elena Rossi: the ERP migration in Q2." in text
    assert "Aisha Bello: the ERP migration in Q2." in text
    assert f"/roadmaps/{roadmap.pk}/share/" in text
