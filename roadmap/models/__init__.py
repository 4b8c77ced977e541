"""The roadmap app's models, by phase: core (roadmaps, cycles, initiatives), assess
(requests, scoring, not doing), calendar (business events), plan, the change log, sharing
(share links), review (what reviewers answer through a share link), exports (PDF jobs),
iterate (decisions, quarterly reviews) and reports (the quarterly leader report). Import from
`roadmap.models`; the modules are an implementation detail."""

from __future__ import annotations

from roadmap.models.assess import *  # noqa: F403
from roadmap.models.calendar import *  # noqa: F403
from roadmap.models.changelog import *  # noqa: F403
from roadmap.models.core import *  # noqa: F403
from roadmap.models.exports import *  # noqa: F403
from roadmap.models.iterate import *  # noqa: F403
from roadmap.models.plan import *  # noqa: F403
from roadmap.models.reports import *  # noqa: F403
from roadmap.models.review import *  # noqa: F403
from roadmap.models.sharing import *  # noqa: F403
