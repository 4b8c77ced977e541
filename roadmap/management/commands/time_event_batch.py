"""`manage.py time_event_batch`: how long one API request with 10,000 learner events takes.

Builds a throwaway organisation, program and write token, sends the batch through the
whole Django stack (middleware, token check, ninja's validation, `record_events`, the
monthly recount) with the test client, sends it again (all duplicates), prints both
times, and rolls everything back. Run it on the database you care about (DATABASE_URL).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django_scopes import scopes_disabled

from measurement.models import LearnerEvent, Program
from roadmap.models import Initiative, Roadmap
from roadmap_site.models import ApiScope, ApiToken, Organization


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time one POST /api/programs/{id}/events with 10,000 events (rolled back)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--events", type=int, default=10_000)
        parser.add_argument("--learners", type=int, default=2_000)

    def handle(self, *args, events: int, learners: int, **options) -> None:
        try:
            with scopes_disabled(), transaction.atomic():
                self._run(events, learners)
                raise Rollback
        except Rollback:
            pass

    def _run(self, count: int, learners: int) -> None:
        org = Organization.objects.create(name="Event batch timing")
        roadmap = Roadmap.create_for_year(org=org, fiscal_year=2026, title="Timing")
        initiative = Initiative.objects.create(roadmap=roadmap, org=org, title="Timed program")
        program = Program.objects.for_initiative(initiative)
        credentials = ApiToken.issue(org=org, name="timing", scope=ApiScope.WRITE, created_by=None)[
            1
        ]
        start = datetime(2026, 1, 5, 8, tzinfo=UTC)
        verbs = ["launched", "experienced", "attempted", "passed", "completed"]
        body = json.dumps(
            {
                "events": [
                    {
                        "learner_key": f"learner-{i % learners:05}",
                        "event_type": verbs[i % len(verbs)],
                        # 13 minutes apart: about three months, each recounted.
                        "occurred_at": (start + timedelta(minutes=13 * i)).isoformat(),
                    }
                    for i in range(count)
                ]
            }
        )
        client = Client(SERVER_NAME="localhost", headers={"Authorization": f"Bearer {credentials}"})
        path = f"/api/programs/{program.pk}/events"
        for label in ("new events", "the same again (duplicates)"):
            began = time.perf_counter()
            response = client.post(path, body, content_type="application/json")
            elapsed = time.perf_counter() - began
            out = response.json()
            self.stdout.write(
                f"{count:,} events, {label}: {elapsed:.2f} s "
                f"(HTTP {response.status_code}, written {out.get('written')}, "
                f"duplicates {out.get('duplicates')}, body {len(body) / 1e6:.1f} MB)"
            )
        stored = LearnerEvent.objects.filter(program=program).count()
        self.stdout.write(f"stored: {stored:,} events in {program.months.count()} months")
