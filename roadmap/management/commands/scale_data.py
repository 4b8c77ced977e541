"""`manage.py scale_data`: one organisation the size of a global L&D team, for `make bench`.

By default: 50 people, 200 KPIs with three years of weekly values, a strategy with ranked
priorities, a roadmap of 500 initiatives with 3,000 stages and 2,600 stage dependencies,
the team's capacity, time off, SMEs and business calendar, and 2,000 training requests in
every triage state. The same sizes give the same rows every time (a seeded
`random.Random`, fixed dates), so two runs of the bench measure the same thing.

Rows follow the models' own rules: cycles from `Roadmap.create_for_year`, the strategy
from `Strategy.start`, choices from the models' TextChoices, states that satisfy the
check constraints. Volume goes through `bulk_create`, so there is no change history.

Each kind of data is one builder in `BUILDERS`, run in order on a shared `Scale`; a
feature that adds a kind of row adds a builder (and a size) here.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_scopes import scopes_disabled

from measurement import engagement
from measurement.models import (
    Direction,
    EligibleLearners,
    EvidenceLevel,
    Forum,
    Kpi,
    KpiFamily,
    KpiValue,
    LearnerEvent,
    Program,
    Touchpoint,
)
from roadmap.models import (
    Approach,
    AssessSettings,
    BusinessEvent,
    CapacityEntry,
    Cycle,
    DeliveryMedium,
    EventKind,
    EvidenceKind,
    GapKind,
    Initiative,
    InitiativeDependency,
    InitiativeStatus,
    NotDoing,
    RequestSource,
    RiceImpact,
    Roadmap,
    Sequence,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageDependency,
    StageKind,
    StageStatus,
    TimeOff,
    TrainingRequest,
    TrainingRequestState,
)
from roadmap_site.dates import add_months
from roadmap_site.models import Membership, Organization, Person, Role, User
from strategy.models import Priority, Question, Strategy

SLUG = "scale"
NAME = "Scale Global (benchmark)"
BENCH_EMAIL = "bench@scale.example"
# A local benchmark account on a benchmark database; `make bench` signs in with it.
BENCH_PASSWORD = "bench-scale-not-secret"  # noqa: S105
SEED = 20270101
BATCH = 2000


@dataclass
class Sizes:
    """How many of each; `--<name>` overrides one (underscores become dashes)."""

    people: int = 50
    kpis: int = 200
    kpi_weeks: int = 156
    priorities: int = 12
    initiatives: int = 500
    stages: int = 3000
    stage_dependencies: int = 2600
    initiative_dependencies: int = 120
    requests: int = 2000
    business_events: int = 14
    not_doing: int = 40
    programs: int = 40
    learner_events: int = 1_000_000


@dataclass
class Scale:
    """What the builders share: the organisation, the sizes, one random source, and the
    rows earlier builders made that later ones point at."""

    org: Organization
    sizes: Sizes
    fiscal_year: int
    rng: random.Random
    user: User | None = None
    people: list[Person] = field(default_factory=list)
    ld_team: list[Person] = field(default_factory=list)
    business: list[Person] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    strategy: Strategy | None = None
    priorities: list[Priority] = field(default_factory=list)
    roadmap: Roadmap | None = None
    cycles: list[Cycle] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)

    @property
    def the_roadmap(self) -> Roadmap:
        """The roadmap `build_roadmap` made, for the builders that run after it."""
        if self.roadmap is None:
            raise CommandError("build_roadmap runs before the builders that need a roadmap.")
        return self.roadmap


FIRST = ["Amara", "Ben", "Chen", "Dana", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas",
         "Kofi", "Lea", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
         "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe"]  # fmt: skip
LAST = ["Okafor", "Lindqvist", "Tanaka", "Moreau", "Silva", "Novak", "Haddad", "Kowalski",
        "Mensah", "Rossi", "Schmidt", "Nakamura", "Fernandes", "Ivanova", "Osei",
        "Berg"]  # fmt: skip
DEPARTMENTS = ["Sales", "Customer Support", "Engineering", "Finance", "Operations", "HR",
               "Marketing", "Legal", "Supply Chain", "Field Service", "Retail", "IT"]  # fmt: skip
REGIONS = ["EMEA", "APAC", "North America", "LATAM", "Global"]
TOPICS = ["Onboarding", "Negotiation", "Data literacy", "Coaching", "Product knowledge",
          "Safety", "Compliance", "Customer empathy", "Leadership", "Cloud basics",
          "Feedback", "Time management", "Security awareness", "Forecasting", "Inclusion",
          "Presentation", "Change management", "Quality", "Sustainability", "AI tools"]  # fmt: skip
AUDIENCES = ["new hires", "first-time managers", "support agents", "account executives",
             "engineers", "store managers", "technicians", "team leads", "analysts"]  # fmt: skip
METRICS = ["Time to productivity", "Course completion", "Manager NPS", "First-call resolution",
           "Win rate", "Attrition", "Quality incidents", "SME hours", "Learner satisfaction",
           "Sessions attended", "Certification rate", "Sales ramp", "Safety incidents",
           "Internal mobility", "Audit findings", "Content reuse", "Coaching hours",
           "Engagement score", "Escalations", "Cost per learner"]  # fmt: skip
UNITS = ["days", "%", "points", "people", "hours", "incidents"]


def build_people(s: Scale) -> int:
    """A fifth of the people are the L&D team (owners, assignees); the rest the business.
    The first L&D person is the bench user, who signs in."""
    names = [f"{first} {last}" for last in LAST for first in FIRST]
    s.rng.shuffle(names)
    if s.sizes.people > len(names):
        names += [f"Person {i}" for i in range(s.sizes.people - len(names))]
    s.user = User.objects.create_user(BENCH_EMAIL, BENCH_PASSWORD, name="Bench Admin")
    Membership.objects.create(org=s.org, user=s.user, role=Role.ADMIN)
    ld_count = max(1, s.sizes.people // 5)
    s.people = Person.objects.bulk_create(
        Person(
            org=s.org,
            name=names[i],
            email=f"person{i}@scale.example",
            title="L&D partner" if i < ld_count else "Director",
            department="L&D" if i < ld_count else DEPARTMENTS[i % len(DEPARTMENTS)],
            is_ld_team=i < ld_count,
            user=s.user if i == 0 else None,
        )
        for i in range(s.sizes.people)
    )
    s.ld_team = s.people[:ld_count]
    s.business = s.people[ld_count:] or s.people
    return len(s.people) + 1


def build_kpis(s: Scale) -> int:
    """KPIs of the four families, most with a target; each with `kpi_weeks` weekly overall
    values ending the week before the roadmap's year, a noisy walk towards its target."""
    families = list(KpiFamily)
    start, _ = s.org.fiscal_year_bounds(s.fiscal_year)
    first_week = start - timedelta(weeks=s.sizes.kpi_weeks)
    kpis = []
    for i in range(s.sizes.kpis):
        higher = s.rng.random() < 0.7
        baseline = Decimal(s.rng.randint(20, 80))
        has_target = i % 10 != 9
        kpis.append(
            Kpi(
                org=s.org,
                name=f"{METRICS[i % len(METRICS)]} · {REGIONS[(i // len(METRICS)) % len(REGIONS)]}"
                f" #{i // (len(METRICS) * len(REGIONS)) + 1}",
                description="Counted monthly from the HR and LMS exports.",
                family=families[i % len(families)],
                unit=UNITS[i % len(UNITS)],
                direction=Direction.HIGHER if higher else Direction.LOWER,
                baseline=baseline,
                baseline_date=first_week,
                target=(baseline + (15 if higher else -15)) if has_target else None,
                target_date=(start + timedelta(days=364)) if has_target else None,
                evidence_level=list(EvidenceLevel)[i % len(EvidenceLevel)].value,
                owner=s.people[i % len(s.people)],
            )
        )
    s.kpis = Kpi.objects.bulk_create(kpis)
    values = []
    for kpi in s.kpis:
        value = float(kpi.baseline or 0)
        step = 15 / max(1, s.sizes.kpi_weeks) * (1 if kpi.direction == Direction.HIGHER else -1)
        for week in range(s.sizes.kpi_weeks):
            value += step * s.rng.uniform(0.2, 1.6)
            values.append(
                KpiValue(
                    org=s.org,
                    kpi=kpi,
                    date=first_week + timedelta(weeks=week),
                    value=Decimal(f"{value:.2f}"),
                    entered_by=s.user,
                )
            )
    KpiValue.objects.bulk_create(values, batch_size=BATCH)
    return len(s.kpis) + len(values)


def build_strategy(s: Scale) -> int:
    """The year's strategy (canvas through `Strategy.start`) and its ranked priorities,
    each owned by a business leader and measured by one of the first KPIs."""
    s.strategy = Strategy.start(org=s.org, fiscal_year=s.fiscal_year, created_by=s.user)
    for answer in s.strategy.answers.all():
        answer.revise(f"Our answer to “{Question(answer.question).label}”", by=s.user)
    s.priorities = Priority.objects.bulk_create(
        Priority(
            org=s.org,
            strategy=s.strategy,
            capability=f"{TOPICS[i % len(TOPICS)]} across {REGIONS[i % len(REGIONS)]}",
            problem="We are struggling to close this gap; the business data shows it.",
            business_owner=s.business[i % len(s.business)],
            kpi=s.kpis[i % len(s.kpis)] if s.kpis else None,
            rank=i + 1,
        )
        for i in range(s.sizes.priorities)
    )
    return 1 + len(Question) + len(s.priorities)


def build_roadmap(s: Scale) -> int:
    """One roadmap over the fiscal year, its four quarters from `create_for_year`."""
    s.roadmap = Roadmap.create_for_year(
        org=s.org,
        title="Global L&D roadmap",
        fiscal_year=s.fiscal_year,
        budget=Decimal(2_500_000),
        created_by=s.user,
    )
    s.cycles = list(s.roadmap.cycles.order_by("position"))
    return 1 + len(s.cycles)


def build_initiatives(s: Scale) -> int:
    """Initiatives over the four cycles (one in twenty unscheduled), in every status,
    numbered in their title so a page's rows can be told apart."""
    statuses = [InitiativeStatus.COMMITTED] * 4 + [InitiativeStatus.IN_PROGRESS] * 3 + [
        InitiativeStatus.PROPOSED, InitiativeStatus.DELIVERED, InitiativeStatus.STOPPED
    ]  # fmt: skip
    media = list(DeliveryMedium.values)
    positions: dict[tuple, int] = {}
    rows = []
    for i in range(s.sizes.initiatives):
        cycle = None if i % 20 == 19 else s.cycles[i % len(s.cycles)]
        sequence = list(Sequence)[s.rng.randrange(3)]
        key = (cycle and cycle.pk, sequence)
        positions[key] = positions.get(key, -1) + 1
        approach = list(Approach)[s.rng.randrange(3)]
        rows.append(
            Initiative(
                org=s.org,
                roadmap=s.roadmap,
                title=f"{s.rng.choice(TOPICS)} for {s.rng.choice(AUDIENCES)} #{i + 1}",
                problem="Too long to reach full productivity; managers report gaps.",
                owner=s.ld_team[i % len(s.ld_team)],
                accountable=s.business[i % len(s.business)],
                cycle=cycle,
                status=statuses[s.rng.randrange(len(statuses))],
                priority=s.priorities[i % len(s.priorities)] if s.priorities else None,
                audience=s.rng.choice(AUDIENCES),
                audience_size=s.rng.randint(20, 5000),
                budget=Decimal(s.rng.randint(5, 200) * 1000),
                people=s.rng.randint(1, 6),
                days=s.rng.randint(10, 120),
                tradeoffs="Delays the refresh of older content by one cycle.",
                kpi=s.kpis[i % len(s.kpis)] if s.kpis else None,
                approach=approach,
                reuses="Vendor library" if approach == Approach.REUSE else "",
                delivery_media=sorted(s.rng.sample(media, s.rng.randint(1, 3))),
                sequence=sequence,
                position=positions[key],
            )
        )
    s.initiatives = Initiative.objects.bulk_create(rows, batch_size=BATCH)
    return len(s.initiatives)


def build_stages(s: Scale) -> int:
    """`stages` spread over the initiatives, the kinds in their natural order, back to back
    inside the initiative's cycle (or anywhere in the year when unscheduled)."""
    kinds = list(StageKind)
    statuses = list(StageStatus)
    per = [s.sizes.stages // len(s.initiatives)] * len(s.initiatives) if s.initiatives else []
    for i in range(s.sizes.stages % len(s.initiatives) if s.initiatives else 0):
        per[i] += 1
    year_start, year_end = s.the_roadmap.period_start, s.the_roadmap.period_end
    rows = []
    for initiative, count in zip(s.initiatives, per, strict=True):
        start = initiative.cycle.start if initiative.cycle else year_start
        start += timedelta(days=s.rng.randrange(0, 40))
        for position in range(count):
            length = s.rng.randint(3, 15)
            end = min(start + timedelta(days=length), year_end)
            start = min(start, end)
            rows.append(
                Stage(
                    org=s.org,
                    initiative=initiative,
                    kind=kinds[position % len(kinds)],
                    position=position,
                    start=start,
                    end=end,
                    effort_days=Decimal(s.rng.randint(1, 12)),
                    assignee=s.ld_team[s.rng.randrange(len(s.ld_team))],
                    status=statuses[s.rng.randrange(len(statuses))],
                    good_enough="Reviewed by the SME and piloted with ten learners.",
                )
            )
            start = end + timedelta(days=1)
    s.stages = Stage.objects.bulk_create(rows, batch_size=BATCH)
    return len(s.stages)


def build_stage_dependencies(s: Scale) -> int:
    """Each stage waits for the one before it in its initiative; past that, stages wait
    for stages of other initiatives (some of those dates break the link, as in life)."""
    pairs: list[tuple[Stage, Stage]] = []
    for before, after in zip(s.stages, s.stages[1:], strict=False):
        if before.initiative_id == after.initiative_id:
            pairs.append((before, after))
    pairs = pairs[: s.sizes.stage_dependencies]
    seen = {(a.pk, b.pk) for a, b in pairs}
    attempts = 0  # bounded: a tiny plan may not hold that many links
    while (
        len(pairs) < s.sizes.stage_dependencies
        and len(s.stages) > 1
        and attempts < 20 * (s.sizes.stage_dependencies)
    ):
        attempts += 1
        a, b = s.rng.sample(s.stages, 2)
        if a.initiative_id != b.initiative_id and (a.pk, b.pk) not in seen:
            seen.add((a.pk, b.pk))
            pairs.append((a, b))
    StageDependency.objects.bulk_create(
        (StageDependency(org=s.org, predecessor=a, successor=b) for a, b in pairs),
        batch_size=BATCH,
    )
    return len(pairs)


def build_initiative_dependencies(s: Scale) -> int:
    pairs: set[tuple[int, int]] = set()
    n = len(s.initiatives)
    while n > 1 and len(pairs) < min(s.sizes.initiative_dependencies, n * (n - 1)):
        a, b = s.rng.sample(range(n), 2)
        pairs.add((a, b))
    InitiativeDependency.objects.bulk_create(
        InitiativeDependency(org=s.org, predecessor=s.initiatives[a], successor=s.initiatives[b])
        for a, b in sorted(pairs)
    )
    return len(pairs)


def build_team_calendar(s: Scale) -> int:
    """Capacity per L&D person and cycle, two weeks off each, SMEs with windows."""
    capacity = CapacityEntry.objects.bulk_create(
        CapacityEntry(org=s.org, person=p, cycle=c, days=Decimal(s.rng.randint(30, 55)))
        for p in s.ld_team
        for c in s.cycles
    )
    time_off = TimeOff.objects.bulk_create(
        TimeOff(
            org=s.org,
            person=p,
            start=(day := s.the_roadmap.period_start + timedelta(days=s.rng.randrange(0, 340))),
            end=day + timedelta(days=9),
            note="Holiday",
        )
        for p in s.ld_team
    )
    smes = s.business[: max(1, len(s.business) // 4)]
    # Involved somewhere in the year: before its content creation for some, after for
    # others (the dashboard's SME engagement and its alerts).
    assignments = SmeAssignment.objects.bulk_create(
        SmeAssignment(
            org=s.org,
            initiative=initiative,
            person=smes[i % len(smes)],
            involved_on=s.the_roadmap.period_start + timedelta(days=s.rng.randrange(0, 240)),
        )
        for i, initiative in enumerate(s.initiatives)
        if i % 2 == 0
    )
    availability = SmeAvailability.objects.bulk_create(
        SmeAvailability(
            org=s.org,
            person=p,
            start=s.the_roadmap.period_start + timedelta(days=30 * (i % 6)),
            end=s.the_roadmap.period_start + timedelta(days=30 * (i % 6) + 120),
        )
        for i, p in enumerate(smes)
    )
    return len(capacity) + len(time_off) + len(assignments) + len(availability)


def build_business_events(s: Scale) -> int:
    kinds = list(EventKind)
    events = BusinessEvent.objects.bulk_create(
        BusinessEvent(
            org=s.org,
            kind=kinds[i % len(kinds)],
            name=f"{kinds[i % len(kinds)].label} {REGIONS[i % len(REGIONS)]}",
            start=(day := s.the_roadmap.period_start + timedelta(days=26 * i)),
            end=day + timedelta(days=s.rng.randint(5, 25)),
            recurs_yearly=i % 3 != 0,
        )
        for i in range(s.sizes.business_events)
    )
    return len(events)


def build_requests(s: Scale) -> int:
    """Requests in every triage state, decided during the roadmap's year, so the ledger's
    "not doing" and the request list both have plenty to show."""
    states = [TrainingRequestState.NEW] * 5 + [TrainingRequestState.ASSESSING] * 2 + [
        TrainingRequestState.COMMITTED, TrainingRequestState.DEFERRED,
        TrainingRequestState.DECLINED, TrainingRequestState.DUPLICATE,
    ]  # fmt: skip
    committed = [i for i in s.initiatives if i.status != InitiativeStatus.PROPOSED]
    submitted = datetime(s.fiscal_year - 1, 6, 1, 9, tzinfo=UTC)
    year_start = datetime.combine(s.the_roadmap.period_start, datetime.min.time(), tzinfo=UTC)
    rows: list[TrainingRequest] = []
    originals: list[TrainingRequest] = []
    # Duplicates point at earlier rows, so those are saved first: two passes.
    for want_duplicates in (False, True):
        batch = []
        for i in range(s.sizes.requests):
            state = states[i % len(states)]
            if (state == TrainingRequestState.DUPLICATE) != want_duplicates:
                continue
            if state == TrainingRequestState.DUPLICATE and not originals:
                state = TrainingRequestState.NEW
            if state == TrainingRequestState.COMMITTED and not committed:
                state = TrainingRequestState.ASSESSING
            decided = state not in (TrainingRequestState.NEW, TrainingRequestState.ASSESSING)
            evidence = list(EvidenceKind)[i % 3]
            batch.append(
                TrainingRequest(
                    org=s.org,
                    title=f"{TOPICS[i % len(TOPICS)]} for {AUDIENCES[i % len(AUDIENCES)]}"
                    f" (request {i + 1})",
                    problem="The team keeps making the same mistakes; customers notice.",
                    audience=AUDIENCES[i % len(AUDIENCES)],
                    audience_size=s.rng.randint(5, 3000),
                    evidence_kind=evidence,
                    evidence_metric="Escalations per week" if evidence == "metric" else "",
                    evidence_value="14 (target 5)" if evidence == "metric" else "",
                    priority=s.priorities[i % len(s.priorities)]
                    if s.priorities and i % 4
                    else None,
                    needed_by=s.the_roadmap.period_start + timedelta(days=s.rng.randrange(0, 365)),
                    gap=list(GapKind)[i % len(GapKind)],
                    effort_days=s.rng.randint(2, 150) if i % 5 else None,
                    impact=list(RiceImpact)[i % len(RiceImpact)],
                    requester_name=s.rng.choice(FIRST) + " " + s.rng.choice(LAST),
                    requester_email=f"requester{i}@scale.example",
                    requester_department=DEPARTMENTS[i % len(DEPARTMENTS)],
                    source=list(RequestSource)[i % 2],
                    submitted_at=submitted + timedelta(hours=4 * i),
                    state=state,
                    decision_reason="Not this year: the budget goes to onboarding first."
                    if state in (TrainingRequestState.DEFERRED, TrainingRequestState.DECLINED)
                    else "",
                    deferred_to=s.cycles[i % len(s.cycles)]
                    if state == TrainingRequestState.DEFERRED
                    else None,
                    duplicate_of=originals[i % len(originals)]
                    if state == TrainingRequestState.DUPLICATE
                    else None,
                    initiative=committed[i % len(committed)]
                    if state == TrainingRequestState.COMMITTED
                    else None,
                    decided_at=year_start + timedelta(days=i % 360) if decided else None,
                    decided_by=s.user if decided else None,
                )
            )
        saved = TrainingRequest.objects.bulk_create(batch, batch_size=BATCH)
        rows += saved
        originals = [r for r in saved if r.state != TrainingRequestState.DUPLICATE]
    # The public intake form is open and lists the priorities; `make bench` gives it an
    # address of its own each run (only the address's hash is stored).
    AssessSettings.objects.create(
        org=s.org,
        intake_open=True,
        intake_shows_priorities=True,
        intake_intro="Tell us what is going wrong; we answer within two weeks.",
    )
    return len(rows) + 1


def build_not_doing(s: Scale) -> int:
    items = NotDoing.objects.bulk_create(
        NotDoing(
            org=s.org,
            roadmap=s.roadmap,
            cycle=s.cycles[i % len(s.cycles)],
            title=f"Dropped: {TOPICS[i % len(TOPICS)]} refresh {i + 1}",
            reason="Lower impact than the committed work this cycle.",
            created_by=s.user,
        )
        for i in range(s.sizes.not_doing)
    )
    return len(items)


EVENT_TYPES = ["launched", "experienced", "experienced", "attempted", "completed", "viewed"]


def build_learner_activity(s: Scale) -> int:
    """`programs` programs on the first initiatives, `learner_events` events spread over
    the twelve months before the roadmap's year, each month's eligible learners, and the
    monthly rollup recounted from the events by the code every write uses.

    On PostgreSQL the events go in with COPY (about four times bulk_create; LIBRARIES.md 3.3).
    Each event of a program's month has its own second, so none is a duplicate."""
    if not s.sizes.programs or not s.initiatives:
        return 0
    start, _ = s.org.fiscal_year_bounds(s.fiscal_year)
    months = [add_months(start, k - 12) for k in range(12)]
    s.programs = Program.objects.bulk_create(
        Program(org=s.org, initiative=initiative, qualifying_events=[])
        for initiative in s.initiatives[: s.sizes.programs]
    )
    cells = [(program, month) for program in s.programs for month in months]
    per_cell, extra = divmod(s.sizes.learner_events, len(cells))
    eligible_rows, now = [], datetime.now(UTC)

    def rows():
        for n, (program, month) in enumerate(cells):
            count = per_cell + (1 if n < extra else 0)
            eligible = s.rng.randint(600, 3000)
            eligible_rows.append(
                EligibleLearners(org=s.org, program=program, month=month, count=eligible)
            )
            # Most programs hold steady; every seventh falls month by month.
            share = 0.65 - (0.04 * months.index(month) if program.pk % 7 == 0 else 0)
            learners = max(1, round(eligible * share))
            first = datetime(month.year, month.month, 1, tzinfo=UTC)
            seconds = (add_months(month, 1) - month).days * 86400
            step = max(1, seconds // max(1, count))
            for j in range(count):
                yield (
                    s.org.pk,
                    program.pk,
                    f"lms-{s.rng.randrange(learners):06d}",
                    EVENT_TYPES[s.rng.randrange(len(EVENT_TYPES))],
                    first + timedelta(seconds=j * step),
                    now,
                )

    if connection.vendor == "postgresql":
        columns = "org_id, program_id, learner_key, event_type, occurred_at, created_at"
        with connection.cursor() as cursor, cursor.connection.cursor() as raw:
            table = connection.ops.quote_name(LearnerEvent._meta.db_table)
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
    else:
        LearnerEvent.objects.bulk_create(
            (
                LearnerEvent(
                    org_id=org_id,
                    program_id=program_id,
                    learner_key=key,
                    event_type=kind,
                    occurred_at=at,
                    created_at=created,
                )
                for org_id, program_id, key, kind, at, created in rows()
            ),
            batch_size=BATCH,
        )
    EligibleLearners.objects.bulk_create(eligible_rows, batch_size=BATCH)
    for program in s.programs:
        program.org = s.org
        engagement.recount_months(program)
    return len(s.programs) + s.sizes.learner_events + len(eligible_rows)


def build_touchpoints(s: Scale) -> int:
    """A tenth of the business are senior stakeholders, met once a quarter through the
    roadmap's year; every fourth of them skipped the last quarter (leadership alignment)."""
    seniors = s.business[:: max(1, 10)]
    Person.objects.filter(pk__in=[p.pk for p in seniors]).update(is_senior=True)
    forums = [forum.value for forum in Forum]
    touchpoints = Touchpoint.objects.bulk_create(
        Touchpoint(
            org=s.org,
            stakeholder=person,
            date=cycle.start + timedelta(days=s.rng.randrange(0, 60)),
            forum=forums[(i + q) % len(forums)],
            notes="Roadmap check-in.",
            created_by=s.user,
        )
        for i, person in enumerate(seniors)
        for q, cycle in enumerate(s.cycles)
        if not (i % 4 == 0 and q == len(s.cycles) - 1)
    )
    return len(touchpoints)


# In order: each may use what the ones before it made.
BUILDERS: list[tuple[str, Callable[[Scale], int]]] = [
    ("people", build_people),
    ("KPIs and values", build_kpis),
    ("strategy and priorities", build_strategy),
    ("roadmap and cycles", build_roadmap),
    ("initiatives", build_initiatives),
    ("stages", build_stages),
    ("stage dependencies", build_stage_dependencies),
    ("initiative dependencies", build_initiative_dependencies),
    ("capacity, time off, SMEs", build_team_calendar),
    ("business calendar", build_business_events),
    ("training requests", build_requests),
    ("not doing", build_not_doing),
    ("learner activity", build_learner_activity),
    ("senior stakeholders' touchpoints", build_touchpoints),
]


def scale_org() -> Organization | None:
    return Organization.objects.filter(slug=SLUG).first()


def drop(org: Organization) -> int:
    """Delete the organisation and every row that carries it, table by table.

    One DELETE per table instead of `org.delete()`: the collector would load every row and
    send its signals (a history row per deleted KPI value or initiative), minutes at this
    size. Foreign keys are checked at commit, so the order does not matter.
    """
    owned = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model is not Organization
        and any(f.name == "org" and f.is_relation for f in model._meta.concrete_fields)
    ]
    deleted = 0
    with connection.cursor() as cursor:
        for model in owned:
            column = model._meta.get_field("org").column  # type: ignore[union-attr]  # a concrete FK
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608
                f"WHERE {connection.ops.quote_name(str(column))} = %s",
                [org.pk],
            )
            deleted += cursor.rowcount
    deleted += User.objects.filter(email__endswith="@scale.example").delete()[0]
    Organization.objects.filter(pk=org.pk).delete()
    return deleted


def build(sizes: Sizes, *, fiscal_year: int, report: Callable[[str], None]) -> Scale:
    org = Organization.objects.create(name=NAME, slug=SLUG)
    s = Scale(org=org, sizes=sizes, fiscal_year=fiscal_year, rng=random.Random(SEED))  # noqa: S311 (test data)
    for label, builder in BUILDERS:
        started = time.perf_counter()
        count = builder(s)
        report(f"  {label:<26}{count:>9,} rows  {time.perf_counter() - started:6.1f} s")
    return s


class Command(BaseCommand):
    help = "Build the benchmark organisation at the size of a global L&D team."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="drop and rebuild it")
        parser.add_argument(
            "--fiscal-year", type=int, default=2027, help="the roadmap's and strategy's year"
        )
        for f in fields(Sizes):
            parser.add_argument(f"--{f.name.replace('_', '-')}", type=int, default=f.default)

    def handle(self, *args, reset: bool, fiscal_year: int, **options):
        sizes = Sizes(**{f.name: options[f.name] for f in fields(Sizes)})
        negative = [f.name for f in fields(Sizes) if getattr(sizes, f.name) < 0]
        if negative:
            raise CommandError(f"Sizes cannot be negative: {', '.join(negative)}.")
        if sizes.people < 1:
            raise CommandError("The organisation needs at least one person (the bench user).")
        started = time.perf_counter()
        # It writes one organisation of its own, found by slug: no tenant scope applies.
        with scopes_disabled(), transaction.atomic():
            existing = scale_org()
            if existing is not None:
                if not reset:
                    raise CommandError(
                        f"The organisation “{SLUG}” exists; --reset drops and rebuilds it."
                    )
                self.stdout.write(f"Dropped the old one: {drop(existing):,} rows.")
            self.stdout.write(f"Building “{NAME}” (FY{fiscal_year % 100:02d}):")
            build(sizes, fiscal_year=fiscal_year, report=self.stdout.write)
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.1f} s. Sign in as {BENCH_EMAIL} / "
            f"{BENCH_PASSWORD}."
        )
