"""Leadership alignment: touchpoints written through `record_touchpoint`, the share of
senior stakeholders met in a fiscal quarter, the alert rule, and the alignment page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from measurement import alignment
from measurement.models import Forum, KpiStatus, Touchpoint
from roadmap_site.models import Organization
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

# The organisation's fiscal year starts in February: Q4 FY27 is 1 Nov 2026 to 31 Jan 2027.
TODAY = date(2026, 11, 30)


@pytest.fixture
def org(org):
    org.fiscal_year_start_month = 2
    org.save()
    return org


def senior(org, name, **fields):
    return PersonFactory(org=org, name=name, is_senior=True, **fields)


def log(org, person, day, forum=Forum.BUDGET_CYCLE, notes=""):
    return alignment.record_touchpoint(
        org=org, stakeholder=person, day=day, forum=forum, notes=notes
    )[0]


# Writing ----------------------------------------------------------------------------------


def test_record_creates_once_and_a_repeat_changes_nothing(org):
    elena = senior(org, "Elena Rossi")
    version = Organization.objects.get(pk=org.pk).version
    touchpoint, created = alignment.record_touchpoint(
        org=org, stakeholder=elena, day=TODAY, forum=Forum.WORKFORCE_PLANNING, notes=" Hiring "
    )
    assert created and touchpoint.notes == "Hiring"
    assert Organization.objects.get(pk=org.pk).version == version + 1
    again, created = alignment.record_touchpoint(
        org=org, stakeholder=elena, day=TODAY, forum=Forum.WORKFORCE_PLANNING, notes="Hiring"
    )
    assert not created and again.pk == touchpoint.pk
    assert Touchpoint.objects.count() == 1
    assert Organization.objects.get(pk=org.pk).version == version + 1  # nothing changed


def test_record_with_new_notes_updates_the_same_touchpoint(org):
    elena = senior(org, "Elena Rossi")
    first = log(org, elena, TODAY, notes="First draft")
    second, created = alignment.record_touchpoint(
        org=org, stakeholder=elena, day=TODAY, forum=Forum.BUDGET_CYCLE, notes="Agreed budget"
    )
    assert not created and second.pk == first.pk
    assert Touchpoint.objects.get().notes == "Agreed budget"


@pytest.mark.parametrize(
    ("who", "day", "forum", "field", "message"),
    [
        ("not senior", TODAY, Forum.BUDGET_CYCLE, "stakeholder", "not marked as a senior"),
        ("other org", TODAY, Forum.BUDGET_CYCLE, "stakeholder", "from this organisation"),
        ("senior", "2026-11-30", Forum.BUDGET_CYCLE, "date", "as a date"),
        ("senior", TODAY, "coffee", "forum", "“coffee” is not a forum"),
    ],
)
def test_record_refuses_bad_input_and_writes_nothing(
    org, other_org, who, day, forum, field, message
):
    people = {
        "senior": senior(org, "Elena Rossi"),
        "not senior": PersonFactory(org=org, name="Jonas Weber"),
        "other org": senior(other_org, "Someone Else"),
    }
    with pytest.raises(ValidationError) as refused:
        alignment.record_touchpoint(org=org, stakeholder=people[who], day=day, forum=forum)
    assert message in " ".join(refused.value.message_dict[field])
    assert Touchpoint.objects.count() == 0


def test_change_refuses_a_clash_with_another_touchpoint(org):
    elena = senior(org, "Elena Rossi")
    log(org, elena, date(2026, 11, 2))
    second = log(org, elena, date(2026, 11, 3))
    with pytest.raises(ValidationError, match="already logged"):
        alignment.change_touchpoint(
            touchpoint=second, stakeholder=elena, day=date(2026, 11, 2), forum=Forum.BUDGET_CYCLE
        )
    assert Touchpoint.objects.get(pk=second.pk).date == date(2026, 11, 3)


# Figures ----------------------------------------------------------------------------------


def test_share_of_seniors_met_counts_the_quarter_only(org, other_org):
    elena = senior(org, "Elena Rossi")
    david = senior(org, "David Chen")
    grace = senior(org, "Grace Kim")
    aisha = senior(org, "Aisha Bello")
    jonas = PersonFactory(org=org, name="Jonas Weber")  # not senior: not counted
    log(org, elena, date(2026, 11, 1))  # the quarter's first day
    log(org, elena, date(2026, 11, 20), forum=Forum.BUSINESS_REVIEW)  # a second: still one senior
    log(org, david, date(2027, 1, 31))  # its last day
    log(org, grace, date(2026, 10, 31))  # the day before: last quarter
    log(other_org, senior(other_org, "Outsider"), TODAY)  # another organisation's
    Touchpoint.objects.create(org=org, stakeholder=jonas, date=TODAY, forum=Forum.OTHER)

    figures = alignment.quarter_alignment(org, TODAY)

    assert (figures.start, figures.end, figures.label) == (
        date(2026, 11, 1),
        date(2027, 1, 31),
        "Q4 FY27",
    )
    # Elena and David met, Grace and Aisha not: 2 of 4.
    assert figures.share == Decimal(2) / Decimal(4)
    assert [s.person.name for s in figures.not_met] == ["Aisha Bello", "Grace Kim"]
    assert {s.person.name: s.last_touchpoint for s in figures.not_met} == {
        "Aisha Bello": None,
        "Grace Kim": date(2026, 10, 31),
    }
    assert figures.status == KpiStatus.OFF_TRACK  # 50 % < 75 %
    assert aisha.pk in {s.person.pk for s in figures.seniors}


@pytest.mark.parametrize(
    ("met", "of", "status"),
    [(4, 4, KpiStatus.ON_TRACK), (3, 4, KpiStatus.AT_RISK), (2, 3, KpiStatus.OFF_TRACK)],
)
def test_status_thresholds(org, met, of, status):
    for n in range(of):
        person = senior(org, f"Senior {n}")
        if n < met:
            log(org, person, TODAY)
    assert alignment.quarter_alignment(org, TODAY).status == status


def test_no_senior_is_not_computable(org):
    figures = alignment.quarter_alignment(org, TODAY)
    assert figures.share is None and figures.status is None
    [headline] = alignment.headlines(org, TODAY)
    assert headline.value is None and headline.display == "not computable"


def test_headline_and_trend_by_quarter(org):
    elena, david = senior(org, "Elena Rossi"), senior(org, "David Chen")
    log(org, elena, date(2026, 9, 1))  # Q3: 1 of 2
    log(org, elena, TODAY)  # Q4: 2 of 2
    log(org, david, date(2026, 11, 2))
    [headline] = alignment.headlines(org, TODAY)
    assert headline.display == "100%"
    assert headline.status == KpiStatus.ON_TRACK
    assert headline.url == reverse("measurement:alignment")
    assert [(p.day, p.value) for p in headline.trend] == [
        (date(2026, 2, 1), 0.0),
        (date(2026, 5, 1), 0.0),
        (date(2026, 8, 1), 0.5),
        (date(2026, 11, 1), 1.0),
    ]


def test_the_rule_finds_each_senior_not_met_with_the_quarter_as_state(org):
    grace = senior(org, "Grace Kim", title="Director of Customer Support")
    log(org, senior(org, "Elena Rossi"), TODAY)
    [finding] = alignment.seniors_without_touchpoint(org, TODAY)
    assert finding.subject == f"person:{grace.pk}"
    assert finding.title == "No touchpoint with Grace Kim in Q4 FY27"
    assert "Director of Customer Support" in finding.detail
    assert "there has never been one" in finding.detail
    assert finding.state == "Q4 FY27"
    assert finding.url == reverse("measurement:alignment") + f"#senior-{grace.pk}"


# The page ---------------------------------------------------------------------------------

URL = reverse("measurement:alignment")


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_page_shows_figure_seniors_not_met_and_the_log(client_for, org):
    log(org, senior(org, "Elena Rossi"), date(2026, 11, 4), notes="Hiring wave")
    senior(org, "Grace Kim")
    for role in ("editor", "viewer"):
        page = client_for(role).get(URL).content.decode()
        assert "Senior stakeholders met in Q4 FY27" in page
        assert "50%" in page
        assert 'id="senior-' in page and "Grace Kim" in page
        assert "Hiring wave" in page
        assert ("Log a touchpoint" in page) == (role == "editor")


def test_outsider_sees_only_their_own_organisation(outsider_client, org):
    log(org, senior(org, "Elena Rossi"), TODAY, notes="Hiring wave")
    page = outsider_client.get(URL).content.decode()
    assert "Elena Rossi" not in page and "Hiring wave" not in page


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_quarter_picker_shows_an_earlier_quarter(editor_client, org):
    elena = senior(org, "Elena Rossi")
    log(org, elena, date(2026, 9, 1), notes="Budget recast")
    page = editor_client.get(URL, {"quarter": "2026-08-01"}).content.decode()
    assert "Q3 FY27" in page and "Budget recast" in page
    assert "Budget recast" not in editor_client.get(URL).content.decode()


def test_a_tampered_quarter_is_a_400(editor_client, org):
    assert editor_client.get(URL, {"quarter": "1999-01-01"}).status_code == 400
    assert editor_client.get(URL, {"quarter": "<script>"}).status_code == 400


def test_editor_logs_a_touchpoint(editor_client, org):
    elena = senior(org, "Elena Rossi")
    response = editor_client.post(
        URL, {"date": TODAY.isoformat(), "stakeholder": elena.pk, "forum": "budget_cycle"}
    )
    assert response.status_code == 302
    assert Touchpoint.objects.get().stakeholder == elena


def test_viewer_cannot_log_one(viewer_client, org):
    elena = senior(org, "Elena Rossi")
    response = viewer_client.post(
        URL, {"date": TODAY.isoformat(), "stakeholder": elena.pk, "forum": "budget_cycle"}
    )
    assert response.status_code == 403
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"stakeholder": "not-senior"},
        {"stakeholder": "outsider"},
        {"forum": "coffee"},
        {"date": "30/11/2026x"},
        {"date": ""},
    ],
)
def test_bad_input_rerenders_with_a_message_and_writes_nothing(
    editor_client, org, other_org, change, row_counts
):
    targets = {
        "not-senior": PersonFactory(org=org, name="Jonas Weber").pk,
        "outsider": senior(other_org, "Someone Else").pk,
    }
    data = {"date": TODAY.isoformat(), "stakeholder": senior(org, "Elena Rossi").pk}
    data |= {"forum": "budget_cycle"}
    data |= {k: targets.get(v, v) for k, v in change.items()}
    before = row_counts()
    response = editor_client.post(URL, data)
    assert response.status_code == 400
    assert (
        'class="field-errors"' in response.content.decode()
        or "errorlist" in response.content.decode()
    )
    assert row_counts() == before


def test_edit_and_delete_by_role(client_for, org):
    elena = senior(org, "Elena Rossi")
    touchpoint = log(org, elena, TODAY)
    edit = reverse("measurement:touchpoint_edit", args=[touchpoint.pk])
    delete = reverse("measurement:touchpoint_delete", args=[touchpoint.pk])
    data = {"date": "2026-11-29", "stakeholder": elena.pk, "forum": "roadmap_review", "notes": "x"}
    assert client_for("outsider").get(edit).status_code == 404
    assert client_for("outsider").post(delete).status_code == 404
    assert client_for("viewer").get(edit).status_code == 403
    assert client_for("viewer").post(delete).status_code == 403
    editor = client_for("editor")
    assert editor.get(edit).status_code == 200
    assert editor.post(edit, data).status_code == 302
    touchpoint.refresh_from_db()
    assert (touchpoint.date, touchpoint.forum) == (date(2026, 11, 29), "roadmap_review")
    assert editor.post(edit, data | {"forum": "coffee"}).status_code == 400
    touchpoint.refresh_from_db()
    assert touchpoint.forum == "roadmap_review"
    assert editor.post(delete).status_code == 302
    assert not Touchpoint.objects.exists()


def test_page_query_count_does_not_grow(editor_client, org, django_assert_num_queries):
    def add(n, offset):
        for i in range(n):
            person = senior(org, f"Senior {offset + i}")
            log(org, person, TODAY)
            log(org, person, date(2026, 9, 1))

    add(2, 0)
    editor_client.get(URL)
    # Session, membership, scope; the seniors with their figures; the log; the picker.
    with django_assert_num_queries(8) as small:
        editor_client.get(URL)
    add(15, 100)
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(URL)
