"""The demo organisation's core: Northwind Global, its people and its two logins.

Only what the workspace core owns lives here. The wiring that fills the organisation (the
"global-onboarding" starter template plus the demo-only extras of each app) is
`roadmap.demo.load_demo`, called by the `seed_demo` command: the core imports no app.
Every step is a get-or-create on a natural key, so running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from roadmap_site.models import Membership, Organization, Person, Role, User

DEMO_SLUG = "demo"
DEMO_PASSWORD = "onboarding-demo-2027"  # noqa: S105 - a published demo login, not a secret
DEMO_LOGINS = [
    ("demo@example.com", "Maya Okafor", Role.ADMIN),
    ("viewer@example.com", "Sam Viewer", Role.VIEWER),
]

# name, job title, department, in the L&D team
PEOPLE = [
    ("Maya Okafor", "Head of Learning & Development", "People", True),
    ("Jonas Weber", "Learning Experience Designer", "People", True),
    ("Priya Raman", "Learning Programme Manager", "People", True),
    ("Tomás Alvarez", "L&D Operations Specialist", "People", True),
    ("Elena Rossi", "VP Engineering", "Engineering", False),
    ("David Chen", "Chief People Officer", "People", False),
    ("Aisha Bello", "VP Sales, EMEA", "Sales", False),
    ("Grace Kim", "Director of Customer Support", "Support", False),
    ("Lars Nilsson", "HR Business Partner, Engineering", "People", False),
    ("Fatima Zahra", "Staff Engineer (SME)", "Engineering", False),
]


@dataclass
class Demo:
    org: Organization
    people: dict[str, Person]
    users: dict[str, User]


def seed_core() -> Demo:
    org, _ = Organization.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={"name": "Northwind Global (demo)", "fiscal_year_start_month": 2, "is_demo": True},
    )
    people = {}
    for name, title, department, ld_team in PEOPLE:
        people[name], _ = Person.objects.get_or_create(
            org=org,
            name=name,
            defaults={
                "title": title,
                "department": department,
                "is_ld_team": ld_team,
                "email": name.split(" ")[0].lower().replace("á", "a") + "@northwind.example",
            },
        )
    users = {}
    for email, name, role in DEMO_LOGINS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        Membership.objects.get_or_create(org=org, user=user, defaults={"role": role})
        users[email] = user
    maya = people["Maya Okafor"]
    if maya.user_id is None:
        maya.user = users["demo@example.com"]
        maya.save(update_fields=["user"])
    return Demo(org=org, people=people, users=users)
