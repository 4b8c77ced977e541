from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

# The one place the core wires every app together: the demo loader lives in the roadmap app,
# at the top of the import chain.
from roadmap.demo import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_INTAKE_TOKEN,
    DEMO_SCOPED_SHARE_TOKEN,
    DEMO_SHARE_TOKEN,
    DEMO_STATUS_TOKEN,
    load_demo,
)
from roadmap_site.demo import DEMO_LOGINS, DEMO_PASSWORD
from roadmap_site.demo_tokens import issued
from roadmap_site.models import Organization


class Command(BaseCommand):
    help = "Load the demo organisation (the Global onboarding roadmap). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even though the database holds other organisations.",
        )

    def handle(self, *args, force: bool = False, **options):
        # The demo publishes logins and links: keep it out of a real workspace by default.
        others = Organization.objects.filter(is_demo=False).count()
        if others and not force:
            raise CommandError(
                f"This database holds {others} organisation(s) that are not the demo. "
                "The demo adds published logins; run with --force to load it anyway."
            )
        with scopes_disabled():  # it writes one organisation it creates or finds by slug
            demo = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {demo.org.name}"))
        for email, _name, role in DEMO_LOGINS:
            self.stdout.write(f"  sign in as {email} / {DEMO_PASSWORD}  ({role})")
        self.stdout.write(f"  open {settings.SITE_URL}/")
        # Random unless DEBUG: these links work until the next run of this command.
        self.stdout.write(f"  shared read-only: {settings.SITE_URL}/s/{issued[DEMO_SHARE_TOKEN]}/")
        self.stdout.write(
            f"  shared, one priority: {settings.SITE_URL}/s/{issued[DEMO_SCOPED_SHARE_TOKEN]}/"
        )
        self.stdout.write(
            f"  a requester's status: {settings.SITE_URL}/status/{issued[DEMO_STATUS_TOKEN]}/"
        )
        self.stdout.write(
            f"  public intake form: {settings.SITE_URL}/intake/{issued[DEMO_INTAKE_TOKEN]}/"
        )
        self.stdout.write(
            f"  read-only API token: Authorization: Bearer {DEMO_API_KEY}."
            f"{issued[DEMO_API_SECRET]}  (try {settings.SITE_URL}/api/kpis; docs at /api/docs)"
        )
