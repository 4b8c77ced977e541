"""A request prefilled from the strategy, without HTTP: `TrainingRequestForm.initial_from_*`
and the form carrying where the request came from onto the saved row."""

from __future__ import annotations

from datetime import date

from roadmap.forms import TrainingRequestForm
from strategy.models import Theme, ThemeMention
from tests.factories import (
    ListeningSessionFactory,
    MaturityAssessmentFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
)

NEEDS_MOVE = (
    "Add three questions to every request: what problem, for whom, and what evidence; "
    "hold listening sessions with HR business partners and department heads."
)


def _theme_with_quotes(org) -> Theme:
    theme = ThemeFactory(org=org, name="Difficult conversations")
    for n, department in enumerate(["Sales", "Sales", "", "Support", "Sales", "Support"]):
        session = ListeningSessionFactory(
            org=org,
            person=PersonFactory(org=org, name=f"HRBP {n}"),
            department=department,
            held_on=date(2026, 10, 1 + n),
        )
        ThemeMention.objects.create(org=org, theme=theme, session=session, quote=f"Quote {n}")
    return Theme.objects.with_mentions().get(pk=theme.pk)


def test_initial_from_theme_quotes_five_sessions_and_counts_departments(org):
    initial = TrainingRequestForm.initial_from_theme(_theme_with_quotes(org))

    assert initial["title"] == "Difficult conversations"
    # Newest session first, five quotes at most, each with who said it.
    assert initial["problem"].splitlines() == [
        "“Quote 5” (HRBP 5)",
        "“Quote 4” (HRBP 4)",
        "“Quote 3” (HRBP 3)",
        "“Quote 2” (HRBP 2)",
        "“Quote 1” (HRBP 1)",
    ]
    assert initial["evidence_kind"] == "stakeholder"
    assert initial["evidence_notes"] == (
        "Listening-session theme “Difficult conversations”: 6 sessions, "
        "Support, Sales, No department."
    )
    assert (initial["source"], initial["source_detail"]) == (
        "listening",
        "Theme: Difficult conversations",
    )


def test_initial_from_a_theme_without_sessions(org):
    theme = ThemeFactory(org=org, name="Onboarding")
    initial = TrainingRequestForm.initial_from_theme(theme)
    assert initial["problem"] == ""
    assert initial["evidence_notes"] == (
        "Listening-session theme “Onboarding”: 0 sessions, no department."
    )


def test_initial_from_suggestion_of_a_weakest_dimension(org):
    assessment = MaturityAssessmentFactory(org=org, taken_on=date(2026, 11, 1))

    initial = TrainingRequestForm.initial_from_suggestion(assessment, "needs_analysis")

    assert initial == {
        "title": NEEDS_MOVE,
        "problem": "Maturity self-assessment of 1 Nov 2026: “Needs analysis” is at level 1 "
        f"(Reactive). Next move: {NEEDS_MOVE}",
        "evidence_kind": "stakeholder",
        "gap": "knowledge",
        "source": "maturity",
        "source_detail": "Maturity: Needs analysis",
    }


def test_no_initial_for_a_dimension_without_a_suggestion(org):
    assessment = MaturityAssessmentFactory(org=org)
    # Level 3 is not among the weakest (level 1); unknown keys have nothing either.
    assert TrainingRequestForm.initial_from_suggestion(assessment, "technology_ai") is None
    assert TrainingRequestForm.initial_from_suggestion(assessment, "nonsense") is None


def test_the_saved_request_keeps_its_source_and_who_entered_it(org):
    initial = TrainingRequestForm.initial_from_theme(_theme_with_quotes(org))
    editor = UserFactory(email="lena@northwind.test")
    data = {
        "title": "Difficult conversations",
        "problem": "Managers avoid hard feedback.",
        "evidence_kind": "stakeholder",
        "impact": "1",
        "gap": "unknown",
    }
    form = TrainingRequestForm(data, initial=initial, org=org)
    assert form.is_valid(), form.errors

    item = form.save(by=editor)

    item.refresh_from_db()
    assert (item.org_id, item.submitted_by_id) == (org.pk, editor.pk)
    assert (item.source, item.source_detail) == ("listening", "Theme: Difficult conversations")
