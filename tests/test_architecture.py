"""Imports run one way: `roadmap` → `strategy` → `measurement` → `roadmap_site` (the core).

An app imports from apps to its right, never to its left, and no two files import each
other while they load. Read from the source with `ast` (function-level and TYPE_CHECKING
imports included for the direction); `manage.py import_graph` prints the same graph.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from roadmap_site.management.commands.import_graph import (
    Import,
    cycles,
    project_imports,
)

ROOT = Path(__file__).resolve().parents[1]

# The seed_demo command is the one place in the core that wires every app together.
ALLOWED_TO_POINT_LEFT = {"roadmap_site.management.commands.seed_demo"}
# A task and the service it runs may import each other lazily; no other cycle is allowed.
ALLOWED_LAZY_CYCLES = [
    ["roadmap.services", "roadmap.tasks", "roadmap.services"],
    ["roadmap.report_jobs", "roadmap.tasks", "roadmap.report_jobs"],
]


def allowed(item: Import) -> bool:
    return item.source in ALLOWED_TO_POINT_LEFT


def left_pointing(imports: list[Import]) -> list[str]:
    return [
        f"{item.source}:{item.line} imports {item.target}"
        for item in imports
        if item.points_left and not allowed(item)
    ]


def test_apps_import_only_to_their_right():
    assert left_pointing(project_imports(ROOT)) == []


def test_no_import_cycles_between_files():
    assert cycles(project_imports(ROOT)) == []


def test_no_cycle_hidden_behind_an_import_inside_a_function():
    found = cycles(project_imports(ROOT), with_lazy=True)
    assert [cycle for cycle in found if cycle not in ALLOWED_LAZY_CYCLES] == []


def test_every_app_is_read():
    sources = {item.source.split(".")[0] for item in project_imports(ROOT)}
    assert sources == {"roadmap", "strategy", "measurement", "roadmap_site"}


def test_import_graph_command_prints_the_graph():
    out = StringIO()
    call_command("import_graph", stdout=out)
    text = out.getvalue()
    assert "roadmap → roadmap_site:" in text
    assert "Import cycles between files (imports run at load): 0" in text
    assert "  roadmap.charts → roadmap_site.charts" in text


# The checker itself, on a small tree with deliberate mistakes: it must be able to fail.


def write(root: Path, files: dict[str, str]) -> None:
    for name in ("roadmap", "strategy", "measurement", "roadmap_site"):
        (root / name).mkdir()
        (root / name / "__init__.py").write_text("")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "from roadmap.models import Roadmap\n",
        "import roadmap.models\n",
        "def f():\n    from roadmap.models import Roadmap\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from roadmap import models\n",
        "class C:\n    from roadmap import models\n",
    ],
    ids=["from", "import", "in-function", "type-checking", "class-body"],
)
def test_a_left_pointing_import_is_found(tmp_path, text):
    write(tmp_path, {"roadmap/models.py": "", "strategy/models.py": text})
    assert left_pointing(project_imports(tmp_path)) == ["strategy.models:" + _line(text)]


def _line(text: str) -> str:
    number = next(i for i, line in enumerate(text.splitlines(), 1) if "roadmap" in line)
    return f"{number} imports roadmap.models"


def test_imports_to_the_right_and_outside_the_project_pass(tmp_path):
    write(
        tmp_path,
        {
            "roadmap/models.py": "import json\nfrom django.db import models\n"
            "from strategy.models import Strategy\nfrom roadmap_site import charts\n",
            "strategy/models.py": "from measurement.models import Kpi\n",
            "measurement/models.py": "from roadmap_site.models import Organization\n",
            "roadmap_site/models.py": "",
            "roadmap_site/charts.py": "",
        },
    )
    imports = project_imports(tmp_path)
    assert {(item.source, item.target) for item in imports} == {
        ("roadmap.models", "strategy.models"),
        ("roadmap.models", "roadmap_site.charts"),
        ("strategy.models", "measurement.models"),
        ("measurement.models", "roadmap_site.models"),
    }
    assert left_pointing(imports) == []


def test_relative_imports_resolve(tmp_path):
    write(
        tmp_path,
        {
            "roadmap/models.py": "",
            "roadmap_site/views/__init__.py": "from . import pages\n",
            "roadmap_site/views/pages.py": "from ...roadmap import models\n",
        },
    )
    imports = project_imports(tmp_path)
    assert ("roadmap_site.views", "roadmap_site.views.pages") in {
        (item.source, item.target) for item in imports
    }
    assert left_pointing(imports) == ["roadmap_site.views.pages:1 imports roadmap.models"]


def test_only_the_seed_demo_command_may_wire_the_apps(tmp_path):
    write(
        tmp_path,
        {
            "roadmap/demo.py": "",
            "roadmap_site/demo.py": "def seed():\n    from roadmap import demo\n",
            "roadmap_site/management/commands/seed_demo.py": "from roadmap import demo\n",
        },
    )
    imports = project_imports(tmp_path)
    assert [item.points_left for item in imports] == [True, True]
    assert left_pointing(imports) == ["roadmap_site.demo:2 imports roadmap.demo"]


def test_a_cycle_through_a_lazy_import_is_found(tmp_path):
    write(
        tmp_path,
        {
            "roadmap/models.py": "def f():\n    from roadmap import plan_data\n",
            "roadmap/plan_data.py": "from roadmap import models\n",
        },
    )
    imports = project_imports(tmp_path)
    assert cycles(imports) == []
    assert cycles(imports, with_lazy=True) != []


def test_a_cycle_between_files_is_found_but_not_through_a_function(tmp_path):
    write(
        tmp_path,
        {
            "roadmap/models.py": "from roadmap import views\n",
            "roadmap/views.py": "import roadmap.forms\n",
            "roadmap/forms.py": "from roadmap.models import Roadmap\n",
            # A service and its task: the service imports the task when it enqueues.
            "roadmap/services.py": "from roadmap import tasks\n",
            "roadmap/tasks.py": "def run():\n    from roadmap import services\n",
        },
    )
    assert cycles(project_imports(tmp_path)) == [
        ["roadmap.forms", "roadmap.models", "roadmap.views", "roadmap.forms"]
    ]
