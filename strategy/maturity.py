"""The L&D maturity framework, as data.

Four levels along the spectrum most maturity models describe (the seed article: "At one
end, L&D is reactive ... At the other end, L&D is transformative"), and six dimensions,
each with a concrete descriptor per level so a team can place itself honestly, and the
next move that takes it one level up. Templates and scoring read this; nothing about the
framework lives in a template. Changing a descriptor changes no stored assessment, which
keeps only the level per dimension key.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    summary: str


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    question: str
    # One descriptor per level, from reactive (1) to transformative (4).
    descriptors: tuple[str, str, str, str]
    # The move from level n to n + 1, for n in 1..3.
    next_moves: tuple[str, str, str]

    def descriptor(self, level: int) -> str:
        return self.descriptors[level - 1]

    def next_move(self, level: int) -> str | None:
        return self.next_moves[level - 1] if level < len(LEVELS) else None


LEVELS: tuple[Level, ...] = (
    Level(
        1,
        "Reactive",
        "L&D takes requests from the business and delivers them; it is not yet a partner in "
        "advancing outcomes. Success is counted in courses shipped.",
    ),
    Level(
        2,
        "Structured",
        "L&D builds structured programmes with repeatable processes and starts to prioritise; "
        "it reports activity and completion, and is beginning to show impact.",
    ),
    Level(
        3,
        "Strategic",
        "L&D demonstrates impact on business KPIs, works from a roadmap tied to business "
        "priorities, and has earned a seat at the table where plans and budgets are set.",
    ),
    Level(
        4,
        "Transformative",
        "L&D leads a skills-based strategy and drives business outcomes through personalised "
        "learning at scale; the business plans its capabilities with L&D.",
    ),
)

LEVEL_BY_NUMBER = {level.number: level for level in LEVELS}

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "alignment",
        "Alignment with the business",
        "How closely is L&D's work tied to what the business is trying to achieve?",
        (
            "Work starts when someone asks for a course. We rarely know which business goal "
            "a request serves, and we find out about plans after they are made.",
            "We have an annual plan and know the company goals, but priorities are set by "
            "whoever asks loudest; leaders see a list of programmes, not their problems.",
            "Our strategy names the capability gaps the business must close, each owned by "
            "a business leader and tied to a KPI; we are in goal-setting and budget cycles.",
            "Leaders plan capabilities with us; workforce and business plans include L&D "
            "from the start, and we shape which capabilities the business bets on.",
        ),
        (
            "Write down the three business priorities for this year and, for each, the leader "
            "who owns it; check every open request against them.",
            "Tie each priority to one business KPI with a baseline and target, and get a "
            "business owner to sign it; put goal setting and budget dates in your calendar.",
            "Take part in workforce planning: bring skills data to the next planning cycle "
            "and propose the capabilities the business should build, not only the ones asked for.",
        ),
    ),
    Dimension(
        "needs_analysis",
        "Needs analysis",
        "How do you decide what problem a piece of work solves, and whether training is the fix?",
        (
            "We build what is requested as requested. Nobody asks what problem it solves or "
            "whether training is the fix at all.",
            "We ask requesters a few intake questions and sometimes interview the audience, "
            "but rarely look at performance data before committing.",
            "Every request is pressure-tested against the strategy's priorities with business "
            "data and stakeholder input; we decline or defer with a reason people can read.",
            "Needs surface continuously from performance and skills data; we spot gaps before "
            "the business asks and can show which ones matter most.",
        ),
        (
            "Add three questions to every request: what problem, for whom, and what evidence; "
            "hold listening sessions with HR business partners and department heads.",
            "Score each request against the business priorities with a metric or stakeholder "
            "input behind it, and publish why declined work was declined.",
            "Connect performance and skills data so needs are flagged as they appear, and "
            "review them with the business each quarter.",
        ),
    ),
    Dimension(
        "design_delivery",
        "Design and delivery",
        "How is learning built and delivered, and how much of it is reused?",
        (
            "Each programme is built from scratch, mostly as slides or live sessions, on the "
            "requester's timeline.",
            "We have design standards, templates and a catalogue; delivery is planned in "
            "stages but mostly one format for everyone.",
            "We choose build or reuse deliberately, blend formats to the audience, define "
            "'good enough' per stage, and plan reinforcement after launch.",
            "Learning is personalised and in the flow of work, at scale; content is assembled "
            "from reusable pieces and adapted quickly as needs shift.",
        ),
        (
            "Agree on a small set of design standards and templates, and keep a catalogue of "
            "what already exists so it can be reused.",
            "Plan each initiative in stages with a 'good enough' definition, decide build vs "
            "reuse up front, and add reinforcement to the plan.",
            "Pilot personalised paths for one audience, driven by role and skills data, and "
            "measure whether time to proficiency drops.",
        ),
    ),
    Dimension(
        "measurement",
        "Measurement and evaluation",
        "What do you measure, and does it change what you do next?",
        (
            "We count attendance and completions, if anything. Nobody asks what changed.",
            "We collect reaction surveys and completion rates and report them regularly, "
            "but they don't connect to business results.",
            "Each priority has a business KPI with a baseline and target; we track behaviour "
            "change and business impact and keep, scale, revise or stop work on the evidence.",
            "We show return on investment, isolate L&D's share of the outcome, and leaders "
            "use our evidence to decide where to invest.",
        ),
        (
            "Pick one business metric for your biggest programme and record its baseline "
            "before the next launch.",
            "Give every priority a KPI with baseline, target and date, and review the trend "
            "each quarter with the business owner.",
            "Estimate ROI for the largest initiatives, with the isolation share and confidence "
            "made explicit, and report it to leaders.",
        ),
    ),
    Dimension(
        "technology_ai",
        "Technology and AI",
        "How do tools and AI help the team do strategic work, not only faster work?",
        (
            "Tools are an LMS used as a filing cabinet; any AI use is ad hoc and individual.",
            "We use authoring tools and some AI to speed up content creation and localisation.",
            "We use technology and AI for strategic work too, such as analysing needs, "
            "evaluation and measurement, and reinvest the time saved in impact work.",
            "Learning data, skills data and AI together give near real-time skills "
            "intelligence and personalised learning at scale.",
        ),
        (
            "Agree on approved AI tools and use them for one repetitive job, such as "
            "first drafts or translations, and measure the time saved.",
            "Use AI for one strategic task, such as summarising listening sessions or "
            "analysing evaluation data, and spend the freed capacity on measurement.",
            "Link learning activity to skills and performance data, and use it to "
            "personalise paths and forecast capability gaps.",
        ),
    ),
    Dimension(
        "skills_strategy",
        "Skills strategy",
        "Does the organisation know which skills it has and needs?",
        (
            "There is no shared view of skills; learning is organised by course topic.",
            "Some roles have competency frameworks, kept by HR and rarely used in planning.",
            "The capabilities the business needs are named and mapped to roles; L&D "
            "priorities and programmes are built around closing those gaps.",
            "A living skills model drives hiring, mobility and development; L&D leads the "
            "skills-based strategy with the business.",
        ),
        (
            "Name the five capabilities the business most needs this year, with the leaders "
            "who depend on them.",
            "Map those capabilities to roles and measure the current level for the largest "
            "audiences, so gaps can be sized.",
            "Make the skills model shared with talent and workforce planning, and refresh "
            "it from real performance data.",
        ),
    ),
)

DIMENSION_BY_KEY = {dimension.key: dimension for dimension in DIMENSIONS}


def overall_score(levels: dict[str, int]) -> Decimal:
    """The mean level across dimensions, to one decimal."""
    if not levels:
        return Decimal(0)
    mean = Decimal(sum(levels.values())) / Decimal(len(levels))
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def overall_level(levels: dict[str, int]) -> Level | None:
    """The level the function has reached on average: the mean, rounded down.

    Rounding down is deliberate: a 2.8 is still a structured function that has not yet
    reached strategic everywhere, and the honest answer is the one a team can build on.
    """
    if not levels:
        return None
    mean = Decimal(sum(levels.values())) / Decimal(len(levels))
    return LEVEL_BY_NUMBER[max(1, min(len(LEVELS), int(mean)))]


def weakest(levels: dict[str, int]) -> list[tuple[Dimension, int]]:
    """The dimensions at the lowest level, in framework order; none once all are at the top."""
    known = {key: level for key, level in levels.items() if key in DIMENSION_BY_KEY}
    if not known:
        return []
    lowest = min(known.values())
    if lowest >= len(LEVELS):
        return []
    return [(d, lowest) for d in DIMENSIONS if known.get(d.key) == lowest]
