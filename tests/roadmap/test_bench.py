"""`make bench`'s client against a live server on the tiny scale organisation: it signs in
through the real form, reads each page and sees its own changes. Nothing here is timed."""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roadmap.management.commands import bench
from tests.roadmap.test_scale_data import TINY


def test_p95_is_the_nearest_rank():
    assert bench.p95([float(n) for n in range(1, 21)]) == 19.0
    assert bench.p95([5.0, 1.0]) == 5.0


def test_it_refuses_the_product_settings():
    with pytest.raises(CommandError, match="settings_bench"):
        call_command("bench")


@pytest.fixture
def scene(transactional_db, settings):
    settings.ROOT_URLCONF = "roadmap_site.bench_urls"
    call_command("scale_data", **TINY, stdout=StringIO())
    return bench.prepare_scene()


@pytest.fixture
def port(live_server) -> int:
    return urlsplit(live_server.url).port


def test_signs_in_and_measures_every_page(scene, port):
    cookie = bench.sign_in(port)
    checked = set()

    for page in bench.PAGES:
        result = bench.measure_page(port, page, scene, cookie=cookie, warm=1, changed=1, budget=60)
        assert not result.error, result.error
        assert len(result.warm) == 1 and len(result.changed) == 1 and len(result.floor) == 2
        assert result.html_bytes > 1000
        # Pages that show what the change wrote must show it on the next view.
        assert result.stale == 0, page.name
        if result.checked:
            checked.add(page.name)

    assert checked == {
        "roadmap page",
        "commitment ledger",
        "plan",
        "timeline",
        "strategy page",
        "share page",
        "public intake form",
    }


def test_a_wrong_password_is_reported(scene, port, monkeypatch):
    monkeypatch.setattr(bench, "BENCH_PASSWORD", "not-the-password")

    with pytest.raises(CommandError, match="Signing in"):
        bench.sign_in(port)


def test_a_stale_page_is_caught(scene, port):
    """A change the page does not show (here: text it never contains) counts as stale."""
    page = bench.Page("share page", bench.PAGES[-2].path, False, lambda s, k: "never shown")

    result = bench.measure_page(port, page, scene, cookie="", warm=1, changed=2, budget=60)

    assert result.checked == 2 and result.stale == 2
    assert not bench.Command.page_passes(result)
