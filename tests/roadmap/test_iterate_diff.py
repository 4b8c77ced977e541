"""The roadmap diff as a pure function over two snapshots: added, dropped, moved, re-owned,
re-scoped, and the justifications from the change log between the two reviews."""

from __future__ import annotations

import copy
from datetime import datetime

from roadmap.iterate import roadmap_diff

BEFORE_AT = "2026-07-29T10:00:00+00:00"
AFTER_AT = "2026-10-28T10:00:00+00:00"


def initiative(pk: int, title: str, **fields) -> dict:
    row = {
        "id": pk,
        "title": title,
        "status": "committed",
        "status_label": "Committed",
        "cycle_id": 2,
        "cycle": "Q2 FY27",
        "cycle_position": 1,
        "start": "2026-05-04",
        "end": "2026-06-26",
        "owner_id": 10,
        "owner": "Priya Raman",
        "accountable_id": 20,
        "accountable": "David Chen",
        "problem": "New hires take too long to become productive.",
        "audience": "New hires",
        "audience_size": 300,
        "priority": "",
    }
    row.update(fields)
    return row


def snap(at: str, initiatives: list[dict], changes=(), decisions=()) -> dict:
    return {
        "version": 1,
        "taken_at": at,
        "roadmap": {"id": 1, "title": "Global onboarding roadmap"},
        "initiatives": initiatives,
        "changes": list(changes),
        "decisions": list(decisions),
    }


def change(pk: int, when: str, fields: list[str], why: str, who="Maya Okafor") -> dict:
    return {
        "initiative_id": pk,
        "title": "",
        "when": when,
        "who": who,
        "kind": "changed",
        "fields": fields,
        "summary": "",
        "justification": why,
    }


def titles(items) -> list[str]:
    return [item.title for item in items]


def test_the_same_roadmap_twice_has_no_difference():
    rows = [initiative(1, "Journey"), initiative(2, "Toolkit")]
    diff = roadmap_diff(snap(BEFORE_AT, rows), snap(AFTER_AT, copy.deepcopy(rows)))
    assert diff.count == 0
    assert not diff.first
    assert diff.before_at == datetime.fromisoformat(BEFORE_AT)


def test_a_move_to_another_cycle_and_new_dates_with_its_justification():
    before = snap(BEFORE_AT, [initiative(1, "Bootcamp")])
    moved = initiative(
        1, "Bootcamp", cycle_id=3, cycle="Q3 FY27", start="2026-08-03", end="2026-09-25"
    )
    after = snap(
        AFTER_AT,
        [moved],
        changes=[
            change(1, "2026-08-12T09:00:00+00:00", ["cycle"], "Sales moved the EMEA kickoff."),
            # Before the earlier review: not a reason for this diff.
            change(1, "2026-07-01T09:00:00+00:00", ["cycle"], "An older move."),
            # Not about the cycle: does not explain the move.
            change(1, "2026-08-13T09:00:00+00:00", ["budget"], "More budget."),
        ],
    )
    diff = roadmap_diff(before, after)
    [item] = diff.moved
    assert item.title == "Bootcamp"
    assert [(d.label, d.before, d.after) for d in item.differences] == [
        ("Cycle", "Q2 FY27", "Q3 FY27"),
        ("Dates", "4 May 2026 – 26 Jun 2026", "3 Aug 2026 – 25 Sep 2026"),  # noqa: RUF001
    ]
    assert [r.text for r in item.reasons] == ["Sales moved the EMEA kickoff."]
    assert item.reasons[0].who == "Maya Okafor"
    assert not diff.added and not diff.dropped and not diff.reowned and not diff.rescoped


def test_shifted_dates_alone_are_a_move_explained_by_a_record_without_fields():
    before = snap(BEFORE_AT, [initiative(1, "Journey")])
    after = snap(
        AFTER_AT,
        [initiative(1, "Journey", start="2026-05-18", end="2026-07-10")],
        changes=[change(1, "2026-08-01T09:00:00+00:00", [], "SMEs away in May.")],
    )
    [item] = roadmap_diff(before, after).moved
    assert [d.label for d in item.differences] == ["Dates"]
    assert [r.text for r in item.reasons] == ["SMEs away in May."]


def test_re_owning_names_owner_and_accountable_leader():
    before = snap(BEFORE_AT, [initiative(1, "Buddy programme"), initiative(2, "Toolkit")])
    after = snap(
        AFTER_AT,
        [
            initiative(1, "Buddy programme", owner_id=11, owner="Jonas Weber"),
            initiative(2, "Toolkit", accountable_id=21, accountable="Elena Rossi"),
        ],
        changes=[change(2, "2026-09-01T09:00:00+00:00", ["accountable"], "Elena owns it now.")],
    )
    diff = roadmap_diff(before, after)
    assert titles(diff.reowned) == ["Buddy programme", "Toolkit"]
    buddy, toolkit = diff.reowned
    assert [(d.label, d.before, d.after) for d in buddy.differences] == [
        ("Owner", "Priya Raman", "Jonas Weber")
    ]
    assert buddy.reasons == ()  # the page says no justification was recorded
    assert [(d.label, d.after) for d in toolkit.differences] == [
        ("Accountable leader", "Elena Rossi")
    ]
    assert [r.text for r in toolkit.reasons] == ["Elena owns it now."]


def test_drops_are_stopped_taken_back_or_deleted_commitments():
    before = snap(
        BEFORE_AT,
        [
            initiative(1, "Localise"),
            initiative(2, "Dashboard"),
            initiative(3, "Deleted one"),
            initiative(4, "Never committed", status="proposed", status_label="Proposed"),
        ],
    )
    after = snap(
        AFTER_AT,
        [
            initiative(1, "Localise", status="stopped", status_label="Stopped"),
            initiative(2, "Dashboard", status="proposed", status_label="Proposed"),
        ],
        changes=[change(1, "2026-10-27T09:00:00+00:00", ["status"], "Vendor quality too low.")],
    )
    diff = roadmap_diff(before, after)
    assert titles(diff.dropped) == ["Dashboard", "Deleted one", "Localise"]
    by_title = {item.title: item for item in diff.dropped}
    assert by_title["Localise"].differences[0].after == "Stopped"
    assert [r.text for r in by_title["Localise"].reasons] == ["Vendor quality too low."]
    assert by_title["Deleted one"].differences[0].after == "Deleted"
    assert not diff.added
    # A stopped initiative is not also "moved" or "re-owned".
    assert not diff.moved and not diff.reowned


def test_additions_are_new_or_newly_committed_initiatives():
    before = snap(
        BEFORE_AT,
        [
            initiative(1, "Journey"),
            initiative(2, "Certification", status="proposed", status_label="Proposed"),
        ],
    )
    after = snap(
        AFTER_AT,
        [
            initiative(1, "Journey"),
            initiative(2, "Certification", status="in_progress", status_label="In progress"),
            initiative(3, "Buddy programme"),
            initiative(4, "Still an idea", status="proposed", status_label="Proposed"),
        ],
    )
    diff = roadmap_diff(before, after)
    assert titles(diff.added) == ["Buddy programme", "Certification"]
    buddy, certification = diff.added
    assert (buddy.differences[0].before, buddy.differences[0].after) == (
        "not on the roadmap",
        "Committed",
    )
    assert certification.differences[0].before == "Proposed"
    assert not diff.dropped


def test_re_scoping_covers_title_problem_and_audience():
    before = snap(BEFORE_AT, [initiative(1, "Localise into eight languages")])
    after = snap(
        AFTER_AT,
        [
            initiative(
                1,
                "Localise into ten languages",
                audience="Hires outside English-speaking offices",
                audience_size=450,
            )
        ],
        changes=[change(1, "2026-09-01T09:00:00+00:00", ["audience_size"], "Two more offices.")],
    )
    [item] = roadmap_diff(before, after).rescoped
    assert [d.label for d in item.differences] == ["Title", "Audience", "Audience size"]
    assert [r.text for r in item.reasons] == ["Two more offices."]


def test_the_first_review_has_nothing_to_compare_with_but_keeps_its_decisions():
    decision = {
        "id": 5,
        "initiative_id": 1,
        "title": "Journey",
        "kind": "keep",
        "kind_label": "Keep",
        "rationale": "Usage grows.",
        "learnings": "",
        "by": "Maya Okafor",
        "at": "2026-10-27T09:00:00+00:00",
    }
    diff = roadmap_diff(None, snap(AFTER_AT, [initiative(1, "Journey")], decisions=[decision]))
    assert diff.first
    assert diff.count == 0
    [entry] = diff.decisions
    assert (entry.title, entry.kind_label, entry.at.day) == ("Journey", "Keep", 27)
