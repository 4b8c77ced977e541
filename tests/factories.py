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
