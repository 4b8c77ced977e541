"""Acknowledging a plan warning, without HTTP: the model's acknowledge/reopen and the forms
the plan page renders with `{{ form }}`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from roadmap.forms import AcknowledgeForm, UnacknowledgeForm
from roadmap.models import WarningAcknowledgement
from tests.factories import RoadmapFactory, UserFactory

KEY = "calendar-launch:stage=7:event=3"


@pytest.fixture
def user(db):
    return UserFactory(email="lena@northwind.test")


def test_acknowledge_records_note_who_and_when(roadmap, user):
    with time_machine.travel(datetime(2027, 2, 3, 9, 30, tzinfo=UTC), tick=False):
        ack = WarningAcknowledgement.acknowledge(roadmap=roadmap, key=KEY, note="Fine.", by=user)

    stored = WarningAcknowledgement.objects.get()
    assert stored.pk == ack.pk
    assert (stored.org_id, stored.roadmap_id, stored.key) == (roadmap.org_id, roadmap.pk, KEY)
    assert (stored.note, stored.by_id) == ("Fine.", user.pk)
    assert stored.at == datetime(2027, 2, 3, 9, 30, tzinfo=UTC)


def test_acknowledging_again_replaces_note_who_and_when(roadmap, user):
    other = UserFactory(email="jonas@northwind.test")
    with time_machine.travel(datetime(2027, 2, 3, tzinfo=UTC), tick=False):
        WarningAcknowledgement.acknowledge(roadmap=roadmap, key=KEY, note="First.", by=user)
    with time_machine.travel(datetime(2027, 3, 1, tzinfo=UTC), tick=False):
        WarningAcknowledgement.acknowledge(roadmap=roadmap, key=KEY, note="Second.", by=other)

    [stored] = WarningAcknowledgement.objects.all()
    assert (stored.note, stored.by_id) == ("Second.", other.pk)
    assert stored.at == datetime(2027, 3, 1, tzinfo=UTC)


def test_reopen_removes_only_that_warning_of_that_roadmap(org, roadmap, user):
    later = RoadmapFactory(org=org, title="Next year", fiscal_year=2028)
    WarningAcknowledgement.acknowledge(roadmap=roadmap, key=KEY, note="a", by=user)
    WarningAcknowledgement.acknowledge(roadmap=roadmap, key="other", note="b", by=user)
    WarningAcknowledgement.acknowledge(roadmap=later, key=KEY, note="c", by=user)

    assert WarningAcknowledgement.reopen(roadmap=roadmap, key=KEY) is True
    assert WarningAcknowledgement.reopen(roadmap=roadmap, key=KEY) is False

    remaining = WarningAcknowledgement.objects.values_list("roadmap_id", "key")
    assert sorted(remaining) == sorted([(roadmap.pk, "other"), (later.pk, KEY)])


# The forms --------------------------------------------------------------------------------


def test_acknowledge_form_saves_a_known_warning(roadmap, user):
    form = AcknowledgeForm({"key": KEY, "note": "Finance agreed."}, keys=[KEY, "x"])

    ack = form.save(roadmap=roadmap, by=user)

    assert (ack.roadmap_id, ack.key, ack.note, ack.by_id) == (
        roadmap.pk,
        KEY,
        "Finance agreed.",
        user.pk,
    )


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"key": KEY, "note": ""}, "note", "required"),
        ({"key": KEY, "note": "   "}, "note", "required"),
        ({"key": KEY, "note": "x" * 2001}, "note", "max_length"),
        ({"note": "Fine."}, "key", "required"),
        ({"key": "calendar-launch:stage=1:event=999", "note": "Fine."}, "key", "unknown"),
    ],
)
def test_acknowledge_form_refuses_and_saves_nothing(roadmap, user, data, field, code):
    form = AcknowledgeForm(data, keys=[KEY])

    assert form.has_error(field, code)
    with pytest.raises(ValueError):
        form.save(roadmap=roadmap, by=user)
    assert not WarningAcknowledgement.objects.exists()


def test_a_missing_note_says_why_it_is_needed():
    form = AcknowledgeForm({"key": KEY, "note": ""}, keys=[KEY])
    assert form.errors["note"] == ["Say why the team accepts this warning."]


def test_acknowledge_form_renders_whole_with_ids_of_its_warning():
    html = str(AcknowledgeForm.for_warning(KEY, 3))

    assert f'<input type="hidden" name="key" value="{KEY}" id="ack-3-key">' in html
    assert '<label for="ack-3-note">Why it is acceptable:</label>' in html
    assert 'name="note"' in html and 'id="ack-3-note"' in html and 'rows="2"' in html


def test_unacknowledge_form_reopens(roadmap, user):
    WarningAcknowledgement.acknowledge(roadmap=roadmap, key=KEY, note="a", by=user)

    assert UnacknowledgeForm({"key": KEY}).save(roadmap=roadmap) is True
    assert not WarningAcknowledgement.objects.exists()
    with pytest.raises(ValueError):
        UnacknowledgeForm({}).save(roadmap=roadmap)
    html = str(UnacknowledgeForm.for_warning(KEY, 2))
    assert f'<input type="hidden" name="key" value="{KEY}" id="reopen-2-key">' in html
