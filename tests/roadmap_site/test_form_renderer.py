"""`{{ form }}` renders through the project's form renderer (templates/forms/): each field's
label, help text and errors are tied together for screen readers, every id on the page is
unique, and the plan page's acknowledge forms are real Django forms, one per warning."""

from __future__ import annotations

from collections import Counter
from datetime import date
from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from roadmap.models import BusinessEvent, EventKind
from tests.conftest import HTMX
from tests.factories import StageFactory


class Elements(HTMLParser):
    """Every start tag as (tag, attrs), with the text that follows each one."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def ids(self) -> Counter:
        return Counter(attrs["id"] for _, attrs in self.found if attrs.get("id"))

    def by_id(self, id_: str) -> tuple[str, dict]:
        [element] = [(tag, a) for tag, a in self.found if a.get("id") == id_]
        return element


class Sample(forms.Form):
    title = forms.CharField(help_text="What the business calls it.")
    notes = forms.CharField(required=False, widget=forms.Textarea)
    urgent = forms.BooleanField(required=False, label="Needed now")
    key = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def render(form: forms.Form) -> str:
    return Template("{{ form }}").render(Context({"form": form}))


def test_an_unbound_form_ties_help_text_to_its_field():
    html = render(Sample(initial={"key": "k"}))
    page = Elements(html)
    assert page.by_id("id_title")[1]["aria-describedby"] == "id_title_helptext"
    assert page.by_id("id_title_helptext")[0] == "small"
    assert '<label for="id_title">Title:</label><input' in html
    assert "aria-invalid" not in html
    assert 'role="alert"' not in html
    # A checkbox comes before its label; hidden fields are rendered without a wrapper.
    assert '<div class="field checkbox">' in html
    assert html.index('id="id_urgent"') < html.index('<label for="id_urgent">')
    assert '<input type="hidden" name="key" value="k" id="id_key">' in html


def test_a_bound_form_with_errors_marks_and_describes_each_field():
    html = render(Sample(data={"notes": "", "key": ""}))
    page = Elements(html)
    ids = page.ids()
    assert [i for i, n in ids.items() if n > 1] == []  # no duplicate ids
    title = page.by_id("id_title")[1]
    assert title["aria-invalid"] == "true"
    # Help first, then the error; both targets exist.
    assert title["aria-describedby"] == "id_title_helptext id_title_error"
    assert page.by_id("id_title_error")[0] == "ul"
    assert '<div class="field has-error">' in html
    assert "aria-invalid" not in page.by_id("id_notes")[1]  # optional and empty: fine
    # The form's own error, and the hidden field's, are announced at the top.
    top = html[: html.index('<div class="field')]
    assert 'class="errors" role="alert"' in top
    assert "Something about the whole form." in top
    assert "(Hidden field key) This field is required." in top


@pytest.fixture
def two_warnings(roadmap, initiative):
    StageFactory(
        initiative=initiative, kind="delivery", start=date(2027, 3, 1), end=date(2027, 3, 2)
    )
    for kind, name in [
        (EventKind.BUDGET_RECAST, "Budget recast"),
        (EventKind.PERFORMANCE_REVIEW, "Mid-year reviews"),
    ]:
        BusinessEvent.objects.create(
            org=roadmap.org, kind=kind, name=name,
            start=date(2027, 3, 1), end=date(2027, 3, 5), recurs_yearly=False,
        )  # fmt: skip


def test_each_warning_has_its_own_acknowledge_form_and_the_posted_one_keeps_its_error(
    editor_client, roadmap, two_warnings
):
    page = editor_client.get(reverse("roadmap:roadmap_plan", args=[roadmap.pk]))
    keys = [w.key for w in page.context["open_warnings"]]
    assert len(keys) >= 2
    elements = Elements(page.content.decode())
    assert [i for i, n in elements.ids().items() if n > 1] == []
    for n, key in enumerate(keys, start=1):
        assert elements.by_id(f"ack-{n}-key")[1]["value"] == key
        assert elements.by_id(f"ack-{n}-note")[0] == "textarea"

    url = reverse("roadmap:warning_acknowledge", args=[roadmap.pk])
    response = editor_client.post(url, {"key": keys[1], "note": ""}, **HTMX)
    html = response.content.decode()
    elements = Elements(html)
    note = elements.by_id("ack-2-note")[1]
    assert note["aria-invalid"] == "true"
    assert note["aria-describedby"] == "ack-2-note_error"
    assert elements.by_id("ack-2-note_error")[0] == "ul"
    assert "Say why the team accepts this warning." in html
    assert "aria-invalid" not in elements.by_id("ack-1-note")[1]  # the other stays clean
    assert html.count('<details class="acknowledge" open>') == 1
