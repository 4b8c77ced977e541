"""Learner engagement pages: the overview and a program's page, as editor, viewer and
outsider; entry by hand and its refusals; query counts that do not grow with data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from measurement import engagement
from measurement.models import EligibleLearners, LearnerEvent, Program, ProgramMonth
from roadmap_site.cache import CSRF_PLACEHOLDER
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)
# Every form post of a program's page, with valid data.
WRITES = [
    (
        "program_event",
        {"learner_key": "a", "event_type": "launched", "occurred_at": "2026-05-01T10:00"},
    ),
    ("program_eligible", {"month": "2026-05", "count": "10"}),
    (
        "program_settings",
        {"qualifying_events": "x", "completion_event": "y", "decline_percent": "20"},
    ),
]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def fill(program, *, learners: int, months=(4, 5, 6), falling: bool = False) -> None:
    """`learners` launch in each month (fewer each month when `falling`), 100 eligible."""
    events = []
    for k, month in enumerate(months):
        active = learners - (k * learners // 4 if falling else 0)
        events += [
            {
                "learner_key": f"l{i}",
                "event_type": kind,
                "occurred_at": datetime(2026, month, 3 + i % 20, tzinfo=UTC),
            }
            for i in range(active)
            for kind in ("launched", "completed")
        ]
        engagement.set_eligible(program=program, month=date(2026, month, 1), count=100)
    engagement.record_events(program=program, events=events)


def detail(program) -> str:
    return reverse("measurement:program_detail", args=[program.pk])


# The overview -----------------------------------------------------------------------------


def test_overview_lists_programs_with_last_months_rate_and_decline(editor_client, program):
    fill(program, learners=40, falling=True)  # June: 40 - 20 = 20 of 100
    response = editor_client.get(reverse("measurement:engagement"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Manager onboarding toolkit" in html
    assert "20\u00a0%" in html
    assert "Declining" in html
    assert "June 2026" in html


def test_viewer_reads_the_overview(viewer_client, program):
    fill(program, learners=10)
    response = viewer_client.get(reverse("measurement:engagement"))
    assert response.status_code == 200
    assert b"Manager onboarding toolkit" in response.content


def test_outsider_sees_none_of_the_programs(outsider_client, program):
    fill(program, learners=10)
    response = outsider_client.get(reverse("measurement:engagement"))
    assert response.status_code == 200
    assert b"Manager onboarding toolkit" not in response.content
    assert b"No program is measured yet" in response.content


def _programs(roadmap, n: int, *, falling_every: int = 0) -> list[Program]:
    made = []
    for i in range(n):
        program = Program.objects.for_initiative(
            InitiativeFactory(roadmap=roadmap, title=f"Program {i:03d}")
        )
        fill(program, learners=8, falling=bool(falling_every) and i % falling_every == 0)
        made.append(program)
    return made


def test_overview_pages_and_filters(editor_client, roadmap):
    _programs(roadmap, 30, falling_every=10)  # 0, 10 and 20 decline
    url = reverse("measurement:engagement")
    first = editor_client.get(url).content.decode()
    assert "30 programs" in first and "Program 024" in first and "Program 025" not in first
    assert "Page 1 of 2" in first
    second = editor_client.get(url, {"page": 2}).content.decode()
    assert "Program 025" in second and "Program 024" not in second
    declining = editor_client.get(url, {"declining": "on"}).content.decode()
    assert "3 programs" in declining
    assert all(f"Program {i:03d}" in declining for i in (0, 10, 20))
    assert "Program 001" not in declining
    named = editor_client.get(url, {"q": "program 017"}).content.decode()
    assert "1 program" in named and "Program 017" in named
    # Nonsense in the query string is dropped, never an error page.
    assert editor_client.get(url, {"page": "x", "q": "y" * 500}).status_code == 200


def test_overview_queries_do_not_grow(editor_client, roadmap, django_assert_num_queries):
    _programs(roadmap, 2, falling_every=2)
    url = reverse("measurement:engagement")
    # Session, user, memberships (with the menu's, one query), savepoint pair; decline shares,
    # rollup, eligible; the page's count and rows (a first view).
    with django_assert_num_queries(10) as small:
        editor_client.get(url)
    # Again: the rollup and eligible counts come from the cache.
    with django_assert_num_queries(8):
        editor_client.get(url)
    _programs(roadmap, 30, falling_every=3)
    with django_assert_num_queries(len(small.captured_queries)):
        assert b"Page 1 of 2" in editor_client.get(url).content
    with django_assert_num_queries(8):
        editor_client.get(url)


def test_overview_shows_each_write_at_once(editor_client, program):
    url = reverse("measurement:engagement")
    fill(program, learners=40, months=(6,))
    assert b"40 / 100" in editor_client.get(url).content
    engagement.set_eligible(program=program, month=date(2026, 6, 1), count=80)
    assert b"40 / 80" in editor_client.get(url).content


# The program page ---------------------------------------------------------------------------


def test_program_page_shows_months_chart_and_what_counts(editor_client, program):
    fill(program, learners=40, falling=True)
    response = editor_client.get(detail(program))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-engagement"' in html
    assert 'id="month-2026-06"' in html and 'id="month-2026-04"' in html
    assert "launched" in html and "passed" in html  # the qualifying events, beside the figure
    assert "Declining" in html
    assert "completed: 20" in html  # June's events by type
    assert "Record event" in html and "Save and recount" in html


def test_the_month_under_way_is_in_the_table_but_not_the_chart(editor_client, program):
    fill(program, learners=10, months=(6, 7))  # today is 10 July
    response = editor_client.get(detail(program))
    html = response.content.decode()
    assert 'id="month-2026-07"' in html and "(so far)" in html
    chart = response.context["chart"]
    assert chart["data"][0]["x"] == ["2026-06-01"]


def test_program_page_without_data_says_so(editor_client, program):
    html = editor_client.get(detail(program)).content.decode()
    assert "No complete month yet" in html
    assert "no eligible learners" in html


def test_viewer_reads_the_program_without_forms(viewer_client, program):
    fill(program, learners=5)
    response = viewer_client.get(detail(program))
    assert response.status_code == 200
    assert b"month-2026-06" in response.content
    assert b"Record event" not in response.content
    assert b"Save and recount" not in response.content


def test_outsider_gets_404_on_every_program_url(outsider_client, program):
    assert outsider_client.get(detail(program)).status_code == 404
    for name, data in WRITES:
        url = reverse(f"measurement:{name}", args=[program.pk])
        assert outsider_client.post(url, data).status_code == 404
    assert not LearnerEvent.objects.exists() and not EligibleLearners.objects.exists()
    program.refresh_from_db()
    assert program.completion_event == "completed"


def test_program_page_queries_do_not_grow(editor_client, program, django_assert_num_queries):
    fill(program, learners=3, months=(6,))
    # Session, user, memberships (with the menu's, one query), savepoint pair; the program with
    # its initiative and organisation; the rollup and the eligible counts (a first view).
    with django_assert_num_queries(8) as small:
        editor_client.get(detail(program))
    # Again: the months and chart come from the cache.
    with django_assert_num_queries(6):
        editor_client.get(detail(program))
    fill(program, learners=60, months=(1, 2, 3, 4, 5, 6))
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(detail(program))
    with django_assert_num_queries(6):
        editor_client.get(detail(program))


def test_program_page_shows_each_write_at_once(editor_client, program):
    """The cached months are keyed by the organisation's version, which writes bump."""
    fill(program, learners=3, months=(6,))
    assert b"3 active of 100 eligible" in editor_client.get(detail(program)).content
    engagement.record_events(
        program=program,
        events=[
            {
                "learner_key": "new",
                "event_type": "launched",
                "occurred_at": datetime(2026, 6, 9, tzinfo=UTC),
            }
        ],
    )
    assert b"4 active of 100 eligible" in editor_client.get(detail(program)).content
    engagement.set_eligible(program=program, month=date(2026, 6, 1), count=50)
    assert b"4 active of 50 eligible" in editor_client.get(detail(program)).content


def test_overview_rendering_is_reused_until_what_it_shows_changes(
    editor_client, program, monkeypatch
):
    from measurement.views import engagement as views

    rendered = []
    real = views.render_to_string
    monkeypatch.setattr(
        views, "render_to_string", lambda *a, **k: rendered.append(1) or real(*a, **k)
    )
    url = reverse("measurement:engagement")
    fill(program, learners=3, months=(6,))
    editor_client.get(url)
    assert b"3 / 100" in editor_client.get(url).content
    assert len(rendered) == 1
    initiative = program.initiative
    initiative.title = "Onboarding, renamed"
    initiative.save(update_fields=["title"])  # no organisation version: the digest sees it
    assert b"Onboarding, renamed" in editor_client.get(url).content
    engagement.set_eligible(program=program, month=date(2026, 6, 1), count=50)
    assert b"3 / 50" in editor_client.get(url).content
    assert b"Onboarding, renamed" not in editor_client.get(url + "?q=zzz").content
    assert len(rendered) == 4


def test_program_page_body_is_cached_and_shows_each_change(editor_client, program, monkeypatch):
    """The body is rendered once per everything it shows; a rename of the initiative (no
    organisation version) and a change of what counts show on the next view."""
    from measurement.views import engagement as views

    built = []
    real = views.program_context
    monkeypatch.setattr(views, "program_context", lambda *a, **k: built.append(1) or real(*a, **k))
    fill(program, learners=3, months=(6,))
    editor_client.get(detail(program))
    assert b"3 active of 100 eligible" in editor_client.get(detail(program)).content
    assert len(built) == 1
    initiative = program.initiative
    initiative.title = "Onboarding, renamed"
    initiative.save(update_fields=["title"])
    assert b"Onboarding, renamed" in editor_client.get(detail(program)).content
    url = reverse("measurement:program_settings", args=[program.pk])
    editor_client.post(
        url, {"qualifying_events": "opened", "completion_event": "passed", "decline_percent": "20"}
    )
    page = editor_client.get(detail(program)).content
    assert b"<li>opened</li>" in page and b"<strong>passed</strong>" in page
    assert len(built) == 3


def test_program_page_cache_keeps_roles_and_tokens_apart(editor_client, viewer_client, program):
    fill(program, learners=3, months=(6,))
    editor_client.get(detail(program))  # cached for an editor
    viewer_page = viewer_client.get(detail(program)).content
    assert b"Record event" not in viewer_page and b"3 active of 100 eligible" in viewer_page
    editor_page = editor_client.get(detail(program)).content.decode()
    assert "Record event" in editor_page
    assert CSRF_PLACEHOLDER not in editor_page
    token = editor_client.cookies["csrftoken"].value
    other = viewer_client.get(detail(program))
    assert token not in other.content.decode()


# Entry by hand ----------------------------------------------------------------------------


def test_editor_records_an_event_on_the_organisations_clock(editor_client, org, program):
    org.time_zone = "America/New_York"
    org.save()
    response = editor_client.post(
        reverse("measurement:program_event", args=[program.pk]),
        {"learner_key": "a1", "event_type": "launched", "occurred_at": "2026-05-31T23:30"},
    )
    assert response.status_code == 302
    assert response.url.endswith("#month-2026-05")
    event = LearnerEvent.objects.get()
    assert event.occurred_at == datetime(2026, 6, 1, 3, 30, tzinfo=UTC)
    assert ProgramMonth.objects.get().month == date(2026, 5, 1)
    # The same again changes nothing.
    again = editor_client.post(
        reverse("measurement:program_event", args=[program.pk]),
        {"learner_key": "a1", "event_type": "launched", "occurred_at": "2026-05-31T23:30"},
        follow=True,
    )
    assert b"already recorded" in again.content
    assert LearnerEvent.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"learner_key": "", "event_type": "launched", "occurred_at": "2026-05-01T10:00"},
        {"learner_key": "a", "event_type": "launched", "occurred_at": "31/05/2026"},
        {"learner_key": "a", "event_type": "launched", "occurred_at": "2027-01-01T10:00"},
        {"learner_key": "a" * 65, "event_type": "launched", "occurred_at": "2026-05-01T10:00"},
    ],
    ids=["no key", "bad time", "future", "long key"],
)
def test_bad_event_re_renders_with_the_error_and_writes_nothing(editor_client, program, data):
    response = editor_client.post(reverse("measurement:program_event", args=[program.pk]), data)
    assert response.status_code == 400
    assert b'class="errorlist' in response.content
    assert not LearnerEvent.objects.exists() and not ProgramMonth.objects.exists()


def test_editor_sets_eligible_learners(editor_client, program):
    url = reverse("measurement:program_eligible", args=[program.pk])
    response = editor_client.post(url, {"month": "2026-05", "count": "120"})
    assert response.status_code == 302
    assert response.url.endswith("#month-2026-05")
    assert list(EligibleLearners.objects.values_list("month", "count")) == [(date(2026, 5, 1), 120)]


@pytest.mark.parametrize(
    "data",
    [
        {"month": "May", "count": "10"},
        {"month": "2026-05", "count": "-1"},
        {"month": "2026-05", "count": ""},
    ],
    ids=["bad month", "negative", "missing"],
)
def test_bad_eligible_input_is_refused(editor_client, program, data):
    response = editor_client.post(reverse("measurement:program_eligible", args=[program.pk]), data)
    assert response.status_code == 400
    assert b'class="errorlist' in response.content
    assert not EligibleLearners.objects.exists()


def test_editor_changes_what_counts_and_months_are_recounted(editor_client, program):
    engagement.record_events(
        program=program,
        events=[
            {
                "learner_key": "a",
                "event_type": "viewed",
                "occurred_at": datetime(2026, 5, 2, tzinfo=UTC),
            }
        ],
    )
    assert ProgramMonth.objects.get().active_learners == 0
    response = editor_client.post(
        reverse("measurement:program_settings", args=[program.pk]),
        {
            "qualifying_events": "viewed, launched",
            "completion_event": "passed",
            "decline_percent": "30",
        },
    )
    assert response.status_code == 302
    assert ProgramMonth.objects.get().active_learners == 1
    program.refresh_from_db()
    assert (program.completion_event, str(program.decline_share)) == ("passed", "0.300")


def test_bad_settings_are_refused(editor_client, program):
    response = editor_client.post(
        reverse("measurement:program_settings", args=[program.pk]),
        {"qualifying_events": " , ", "completion_event": "passed", "decline_percent": "300"},
    )
    assert response.status_code == 400
    assert b"Name at least one event type." in response.content
    program.refresh_from_db()
    assert program.completion_event == "completed"


def test_viewer_cannot_write(viewer_client, program):
    for name, data in WRITES:
        url = reverse(f"measurement:{name}", args=[program.pk])
        assert viewer_client.post(url, data).status_code == 403
    assert not LearnerEvent.objects.exists() and not EligibleLearners.objects.exists()
    program.refresh_from_db()
    assert program.completion_event == "completed"


# From the roadmap -------------------------------------------------------------------------


def test_editor_starts_measuring_from_the_initiative(editor_client, initiative):
    page = editor_client.get(reverse("roadmap:initiative_detail", args=[initiative.pk]))
    start = reverse("measurement:program_start", args=[initiative.pk])
    assert start.encode() in page.content
    response = editor_client.post(start)
    program = Program.objects.get(initiative=initiative)
    assert response.url == detail(program)
    # Twice is the same program; the initiative's page now links to it.
    assert editor_client.post(start).url == detail(program)
    assert Program.objects.count() == 1
    page = editor_client.get(reverse("roadmap:initiative_detail", args=[initiative.pk]))
    assert detail(program).encode() in page.content


def test_viewer_cannot_start_measuring_but_follows_the_link(viewer_client, initiative):
    start = reverse("measurement:program_start", args=[initiative.pk])
    page = viewer_client.get(reverse("roadmap:initiative_detail", args=[initiative.pk]))
    assert start.encode() not in page.content
    assert viewer_client.post(start).status_code == 403
    assert not Program.objects.exists()
    program = Program.objects.for_initiative(initiative)
    page = viewer_client.get(reverse("roadmap:initiative_detail", args=[initiative.pk]))
    assert detail(program).encode() in page.content


def test_outsider_cannot_start_measuring_another_organisations_initiative(
    outsider_client, initiative
):
    start = reverse("measurement:program_start", args=[initiative.pk])
    assert outsider_client.post(start).status_code == 404
    assert not Program.objects.exists()
