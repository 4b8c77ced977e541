from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from roadmap.demo import DEMO_SHARE_TOKEN
from roadmap_site.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisation (the Global onboarding roadmap). Safe to run again."

    def handle(self, *args, **options):
        demo = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {demo.org.name}"))
        for email, _name, role in DEMO_LOGINS:
            self.stdout.write(f"  sign in as {email} / {DEMO_PASSWORD}  ({role})")
        self.stdout.write(f"  open {settings.SITE_URL}/")
        self.stdout.write(f"  shared read-only: {settings.SITE_URL}/s/{DEMO_SHARE_TOKEN}/")
