"""Theme suggestions from listening-session notes, with no network service.

YAKE (a statistical keyword extractor: word position, frequency, spread across sentences)
proposes key phrases from all the notes together; a phrase becomes a suggestion when the
notes of at least `min_sessions` sessions mention it, so a theme is something several
people said, not one person's wording. The team accepts, renames or merges suggestions;
nothing becomes a theme on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import yake

from strategy.models import ListeningSession, phrase_pattern

# Words that recur in any set of notes about performance but name no need on their own.
GENERIC = {
    "data",
    "team",
    "teams",
    "people",
    "performance",
    "struggling",
    "year",
    "month",
    "months",
    "week",
    "weeks",
    "time",
    "day",
    "days",
    "hours",
    "percent",
    "average",
    "hire",
    "hires",
    "new hire",
    "new hires",
    "lot",
    "thing",
    "things",
    "work",
    "business",
    "department",
    "support",
    "need",
    "needs",
}


@dataclass
class Suggestion:
    phrase: str
    score: float
    sessions: list[ListeningSession] = field(default_factory=list)

    @property
    def departments(self) -> list[str]:
        return sorted({s.department or "No department" for s in self.sessions})

    def quotes(self) -> list[tuple[ListeningSession, str]]:
        return [(s, q) for s in self.sessions if (q := s.quote_for(self.phrase))]


def suggest_themes(
    sessions: Iterable[ListeningSession],
    *,
    exclude: Iterable[str] = (),
    quoted: dict[int, list[str]] | None = None,
    limit: int = 8,
    min_sessions: int = 2,
) -> list[Suggestion]:
    """Key phrases that several sessions share, best first.

    `exclude` drops the names of accepted themes (and phrases inside them); `quoted`
    (session id → quotes already behind a theme) drops a phrase when every session that
    says it is already quoted saying it, so an accepted theme is not suggested again
    under its old wording. A single word needs one more session than a phrase: on its own
    it is more often context than a need.
    """
    sessions = list(sessions)
    quoted = quoted or {}
    if not sessions:
        return []
    text = "\n".join(s.text for s in sessions)
    extractor = yake.KeywordExtractor(lan="en", n=3, dedupLim=0.8, top=60)
    taken = [name.lower() for name in exclude]
    candidates: dict[str, Suggestion] = {}
    for phrase, score in extractor.extract_keywords(text):
        key = phrase.lower()
        if key in candidates or key in GENERIC or len(key) < 4:
            continue
        if any(key in t or t in key for t in taken):
            continue
        pattern = phrase_pattern(phrase)
        matched = [s for s in sessions if pattern.search(s.text)]
        needed = min_sessions + (0 if " " in key else 1)
        if len(matched) < needed:
            continue
        if all(any(pattern.search(q) for q in quoted.get(s.pk, ())) for s in matched):
            continue
        candidates[key] = Suggestion(phrase=key, score=float(score), sessions=matched)
    # Keep the most specific wording: "manager" goes when "manager support" was said in
    # as many sessions; it stays when more sessions said "manager" alone.
    suggestions = [
        c
        for c in candidates.values()
        if not any(
            c.phrase != d.phrase and c.phrase in d.phrase and len(d.sessions) >= len(c.sessions)
            for d in candidates.values()
        )
    ]
    # Themes that more people raised come first; YAKE's score (lower is better) breaks ties.
    return sorted(suggestions, key=lambda s: (-len(s.sessions), s.score))[:limit]
