"""After a change, the capacity page re-renders only the cycle tables the change shows in:
each is cached under a digest of what it prints (roadmap/views/capacity.py). A rename is
the next view's news on every role's page; the tables of other cycles come from the cache.

The cache is the test settings' locmem cache, emptied before each test (tests/conftest.py).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from roadmap.models import Initiative
from roadmap.views import capacity as capacity_view
from roadmap_site import cache
from tests.roadmap.test_align_commitments import edit_data
from tests.roadmap.test_plan_cache import capacity, plan
from tests.roadmap.test_plan_queries import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def tables_rendered(monkeypatch) -> list[int]:
    """The cycles whose capacity table was rendered (not read from the cache), in order.
    The real rendering runs; the list only records it."""
    rendered: list[int] = []
    real = capacity_view.render_to_string

    def spy(name, context, **kwargs):
        if name.endswith("#capacity-cycle"):  # not the parts around the tables
            rendered.append(context["entry"]["cycle"].pk)
        return real(name, context, **kwargs)

    monkeypatch.setattr(capacity_view, "render_to_string", spy)
    return rendered


def cycles_showing(page: str, title: str) -> set[int]:
    """The cycles whose table names `title`: each table is a section with the cycle's id."""
    found = set()
    for section in page.split('<section class="card capacity-cycle')[1:]:
        cycle = int(section.split('aria-labelledby="cap-', 1)[1].split("-h", 1)[0])
        if title in section.split("</section>", 1)[0]:
            found.add(cycle)
    return found


def test_a_rename_re_renders_only_the_tables_it_shows_in(
    editor_client, viewer_client, roadmap, tables_rendered
):
    fill(roadmap, 12)
    initiative = Initiative.objects.get(roadmap=roadmap, title="Initiative 1")
    first = capacity(editor_client, roadmap)
    every_cycle = set(tables_rendered)
    touched = cycles_showing(first, "Initiative 1<")
    assert touched and touched < every_cycle, "the data must spread over several cycles"

    tables_rendered.clear()
    url = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(url, edit_data(initiative, title="Onboarding toolkit v2"))
    page = capacity(editor_client, roadmap)
    assert cycles_showing(page, "Onboarding toolkit v2") == touched
    assert "Initiative 1<" not in page
    assert set(tables_rendered) == touched  # the other cycles' tables came from the cache

    tables_rendered.clear()
    seen_by_viewer = capacity(viewer_client, roadmap)
    assert cycles_showing(seen_by_viewer, "Onboarding toolkit v2") == touched
    assert tables_rendered == []  # no form or token in a table: one entry serves every role


def test_the_tables_show_the_same_as_rendered_in_place(editor_client, roadmap):
    """From the cache or rendered with the page (a refused form), the tables read the same."""
    fill(roadmap, 12)
    cached = capacity(editor_client, roadmap)
    refused = editor_client.post(
        reverse("roadmap:roadmap_budget", args=[roadmap.pk]), {"budget": "-5"}
    ).content.decode()
    assert "capacity-cycle" in cached

    def tables(page: str) -> str:
        start = page.index('<section class="card capacity-cycle')
        return page[start : page.index('<section class="card" id="budget"')]

    assert tables(refused) == tables(cached)


# The plan's sequence: one cached item per initiative -----------------------------------


@pytest.fixture
def items_rendered(monkeypatch) -> list[str]:
    """The titles of the plan items rendered (not read from the cache); the real
    rendering runs."""
    from roadmap.views import plan as plan_view

    rendered: list[str] = []
    real = plan_view.render_to_string

    def spy(name, context=None, *args, **kwargs):
        if name.endswith("#plan-initiative"):
            rendered.append(context["i"].title)
        return real(name, context, *args, **kwargs)

    monkeypatch.setattr(plan_view, "render_to_string", spy)
    return rendered


def test_a_rename_re_renders_one_item_of_the_plan(
    editor_client, viewer_client, roadmap, items_rendered
):
    fill(roadmap, 12)
    initiative = Initiative.objects.get(roadmap=roadmap, title="Initiative 1")
    first = plan(editor_client, roadmap)
    assert "Initiative 1<" in first and len(items_rendered) > 1

    items_rendered.clear()
    url = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(url, edit_data(initiative, title="Onboarding toolkit v2"))
    page = plan(editor_client, roadmap)
    assert "Onboarding toolkit v2<" in page and "Initiative 1<" not in page
    assert items_rendered == ["Onboarding toolkit v2"]  # the rest came from the cache
    # Every cached item's forms carry a token of this response (each fragment masks its
    # own), never the placeholder; tests/roadmap/test_plan_cache.py posts with one.
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) > 2 and all(re.fullmatch(r"[A-Za-z0-9]{64}", t) for t in tokens)
    assert cache.CSRF_PLACEHOLDER not in page

    items_rendered.clear()
    seen_by_viewer = plan(viewer_client, roadmap)
    assert "Onboarding toolkit v2<" in seen_by_viewer
    assert "initiative-up-" not in seen_by_viewer  # a viewer's items have no move buttons
    assert len(items_rendered) > 1  # rendered for the viewer's role, not the editor's


def test_a_move_shows_each_items_new_place(editor_client, roadmap):
    """An item's buttons say its place in its group: after a move the two that swapped
    read their new places, as if the page were rendered in one piece."""
    fill(roadmap, 30)
    plan(editor_client, roadmap)
    groups: dict[tuple, list[Initiative]] = {}
    for i in Initiative.objects.filter(roadmap=roadmap, cycle__isnull=False):
        groups.setdefault((i.cycle_id, i.sequence), []).append(i)
    group = sorted(max(groups.values(), key=len), key=lambda i: (i.position, i.pk))
    assert len(group) >= 2
    first, second = group[0], group[1]
    assert f"Move “{second.title}” up, now 2 of" in plan(editor_client, roadmap)
    editor_client.post(reverse("roadmap:initiative_move", args=[second.pk]), {"direction": "up"})
    page = plan(editor_client, roadmap)
    assert f"Move “{second.title}” up, now 1 of" in page
    assert f"Move “{first.title}” up, now 2 of" in page
