"""Small factories for tests: one line makes a valid row of any organisation."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from roadmap.models import Initiative, Roadmap
from roadmap_site.models import Membership, Organization, Person, Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    fiscal_year_start_month = 1


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    org = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EDITOR


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda p: f"{p.name.lower().replace(' ', '.')}@example.com")


class RoadmapFactory(factory.Factory):
    """Roadmaps are made through `create_for_year`, which also makes the four cycles."""

    class Meta:
        model = Roadmap

    org = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Roadmap {n}")
    fiscal_year = 2027

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.create_for_year(**kwargs)


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative

    roadmap = factory.SubFactory(RoadmapFactory)
    org = factory.SelfAttribute("roadmap.org")
    title = factory.Sequence(lambda n: f"Initiative {n}")
    problem = "New hires take too long to become productive."
    cycle = factory.LazyAttribute(lambda i: i.roadmap.cycles.first())


# Strategy and measurement ----------------------------------------------------------------

from datetime import date, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from measurement.models import Direction, Kpi, KpiValue  # noqa: E402
from strategy.models import (  # noqa: E402
    ListeningSession,
    MaturityAssessment,
    Priority,
    Strategy,
    Theme,
)


class StartedStrategyFactory(factory.Factory):
    """Strategies are made through `Strategy.start`, which also makes the canvas answers."""

    class Meta:
        model = Strategy

    org = factory.SubFactory(OrganizationFactory)
    fiscal_year = 2027

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.start(**kwargs)


class KpiFactory(DjangoModelFactory):
    class Meta:
        model = Kpi

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "days"
    direction = Direction.LOWER
    baseline = Decimal(100)
    baseline_date = date(2026, 1, 1)
    target = Decimal(60)
    target_date = date(2026, 12, 31)


class KpiValueFactory(DjangoModelFactory):
    class Meta:
        model = KpiValue

    kpi = factory.SubFactory(KpiFactory)
    org = factory.SelfAttribute("kpi.org")
    date = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))
    value = Decimal(90)


class PriorityWithKpiFactory(DjangoModelFactory):
    class Meta:
        model = Priority

    strategy = factory.SubFactory(StartedStrategyFactory)
    org = factory.SelfAttribute("strategy.org")
    capability = factory.Sequence(lambda n: f"Capability {n}")
    problem = "We're struggling to retain mid-level managers."
    business_owner = factory.SubFactory(PersonFactory, org=factory.SelfAttribute("..org"))
    kpi = factory.SubFactory(KpiFactory, org=factory.SelfAttribute("..org"))
    rank = factory.Sequence(lambda n: n + 1)


class MaturityAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = MaturityAssessment

    org = factory.SubFactory(OrganizationFactory)
    taken_on = date(2026, 11, 1)
    levels = factory.LazyFunction(
        lambda: {
            "alignment": 2,
            "needs_analysis": 1,
            "design_delivery": 2,
            "measurement": 1,
            "technology_ai": 3,
            "skills_strategy": 2,
        }
    )


class ListeningSessionFactory(DjangoModelFactory):
    class Meta:
        model = ListeningSession

    org = factory.SubFactory(OrganizationFactory)
    person = factory.SubFactory(PersonFactory, org=factory.SelfAttribute("..org"))
    department = "Engineering"
    held_on = date(2026, 10, 1)
    struggling = "New managers struggle with difficult conversations."
    evidence = "Engagement survey: manager support 3.1 out of 5."


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


# Assess & Align -----------------------------------------------------------------------------


class TrainingRequestFactory(DjangoModelFactory):
    """A `roadmap.TrainingRequest` (named so it doesn't shadow Django's RequestFactory)."""

    class Meta:
        model = "roadmap.TrainingRequest"

    org = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Request {n}")
    problem = "New support agents need eight weeks before they handle tickets alone."
    audience = "New support agents"
    audience_size = 40
    requester_name = "Grace Kim"
    requester_email = "grace@example.com"
    requester_department = "Support"


class StrategyFactory(DjangoModelFactory):
    class Meta:
        model = "strategy.Strategy"
        django_get_or_create = ["org", "fiscal_year"]

    org = factory.SubFactory(OrganizationFactory)
    fiscal_year = 2027


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = "strategy.Priority"

    strategy = factory.SubFactory(StrategyFactory)
    org = factory.SelfAttribute("strategy.org")
    capability = factory.Sequence(lambda n: f"Capability {n}")
    problem = "The business is struggling here."
    business_owner = factory.SubFactory(PersonFactory, org=factory.SelfAttribute("..org"))
    rank = factory.Sequence(lambda n: n + 1)


# Plan ---------------------------------------------------------------------------------------


class StageFactory(DjangoModelFactory):
    class Meta:
        model = "roadmap.Stage"

    initiative = factory.SubFactory(InitiativeFactory)
    org = factory.SelfAttribute("initiative.org")
    kind = "content_creation"
    position = factory.Sequence(lambda n: n)
    start = date(2027, 3, 1)
    end = date(2027, 3, 12)
    effort_days = Decimal(5)


class CapacityEntryFactory(DjangoModelFactory):
    class Meta:
        model = "roadmap.CapacityEntry"

    person = factory.SubFactory(PersonFactory, is_ld_team=True)
    org = factory.SelfAttribute("person.org")
    cycle = factory.LazyAttribute(lambda e: RoadmapFactory(org=e.person.org).cycles.first())
    days = Decimal(20)
