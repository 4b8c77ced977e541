"""Every list of the demo organisation downloads, as its read-only viewer, with rows in it;
the demo's survey comment that starts like a formula comes out as plain text."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from measurement.models import Program
from roadmap.demo import ROADMAP_TITLE
from roadmap.models import Roadmap
from roadmap_site.demo import DEMO_SLUG
from roadmap_site.models import Membership
from tests.downloads import read_csv, read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_viewer():
    call_command("seed_demo", stdout=io.StringIO())
    membership = Membership.objects.get(org__slug=DEMO_SLUG, role="viewer")
    client = Client()
    client.force_login(membership.user)
    return client


def test_every_demo_list_downloads_with_rows(demo_viewer):
    roadmap = Roadmap.objects.get(org__slug=DEMO_SLUG, title=ROADMAP_TITLE)
    program = Program.objects.filter(org=roadmap.org).exclude(events=None).first()
    surveyed = Program.objects.filter(org=roadmap.org).exclude(responses=None).first()
    urls = [
        reverse("roadmap:request_download"),
        reverse("roadmap:initiative_download", args=[roadmap.pk]),
        reverse("roadmap:commitment_download", args=[roadmap.pk]),
        reverse("roadmap:not_doing_download", args=[roadmap.pk]),
        reverse("roadmap:stage_download", args=[roadmap.pk]),
        reverse("measurement:kpi_value_download"),
        reverse("measurement:response_download"),
        reverse("measurement:program_response_download", args=[surveyed.pk]),
        reverse("measurement:program_event_download", args=[program.pk]),
    ]
    for url in urls:
        assert len(read_csv(demo_viewer.get(url))) > 1, url
        assert len(read_xlsx(demo_viewer.get(url, {"format": "xlsx"}))) > 1, url


def test_the_demos_formula_looking_comment_stays_text(demo_viewer):
    url = reverse("measurement:response_download")
    header, *rows = read_xlsx(demo_viewer.get(url, {"format": "xlsx"}))
    comments = [row[header.index("Comment")] for row in rows]

    assert "'-1 for the week-one schedule: half of it was for another office." in comments
    assert not any(c and c.startswith(("=", "+", "-", "@")) for c in comments)
