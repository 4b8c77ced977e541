"""`make bench` runs `manage.py bench`, which lives in the roadmap app."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from roadmap.management.commands.bench import PAGES
from roadmap_site.models import Organization


@pytest.mark.django_db
def test_bench_measures_every_page_and_leaves_no_rows_behind():
    out = StringIO()
    call_command("bench", sizes="3", repeat=1, stdout=out)

    lines = out.getvalue().splitlines()
    measured = {line[:22].strip(): line[22:].split() for line in lines[2:]}
    assert set(measured) == {name for name, _, _ in PAGES}
    for size, queries, _ms, _kib in measured.values():
        assert size == "3"
        assert int(queries) > 0
    # The throwaway organisation is rolled back.
    assert not Organization.objects.filter(slug="bench-3").exists()
