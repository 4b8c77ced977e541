"""What a new lead sees, drawn by the browser: status pills on one line on the strategy
one-pager, and the business calendar's names on the timeline never printed over one another."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from roadmap.demo import load_demo
from roadmap.models import BusinessEvent, Roadmap
from roadmap_site.demo import DEMO_PASSWORD
from strategy.models import Strategy

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Lines each pill's text takes: a wrapped "On track" gives two rectangles.
PILL_LINES = """() => [...document.querySelectorAll("main .badge")].map(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return {text: el.textContent.trim(), lines: tops.size};
})"""

# Every annotation of the timeline: its text and where the browser drew it.
LABELS = """() => [...document.querySelectorAll(".timeline-chart g.annotation")].map(g => {
  const box = g.querySelector(".annotation-text-g").getBoundingClientRect();
  return {text: g.textContent.trim(), left: box.left, right: box.right,
          top: box.top, bottom: box.bottom};
})"""


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-mail").fill("demo@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_status_pills_stay_on_one_line(page: Page, live_server, screenshot):
    demo = load_demo()
    strategy = Strategy.objects.for_org(demo.org).get()
    sign_in(page, live_server.url)
    for name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/strategy/{strategy.pk}/one-pager/")
        screenshot(f"first-hour-one-pager-{name}")
        pills = page.evaluate(PILL_LINES)
        assert any(p["text"] == "On track" for p in pills), pills
        assert [p for p in pills if p["lines"] != 1] == [], name


def test_business_calendar_names_do_not_overprint(page: Page, live_server, screenshot):
    demo = load_demo()
    roadmap = Roadmap.objects.for_org(demo.org).get()
    names = list(BusinessEvent.objects.filter(org=demo.org).values_list("name", flat=True))
    sign_in(page, live_server.url)
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/timeline/")
        page.wait_for_selector(".timeline-chart g.annotation")
        screenshot(f"first-hour-timeline-{width}")

        def is_event(text: str) -> bool:
            return any(
                text == name or (text.endswith("…") and name.startswith(text[:-1]))
                for name in names
            )

        labels = [label for label in page.evaluate(LABELS) if is_event(label["text"])]
        assert len(labels) >= 6, labels  # the demo's calendar is busy from July to October
        assert len({round(label["top"]) for label in labels}) <= 3
        clashes = [
            (a["text"], b["text"])
            for i, a in enumerate(labels)
            for b in labels[i + 1 :]
            if a["left"] < b["right"] - 1
            and b["left"] < a["right"] - 1
            and a["top"] < b["bottom"] - 1
            and b["top"] < a["bottom"] - 1
        ]
        assert clashes == [], width
        # A name is cut, never to nothing.
        assert all(len(label["text"]) >= 2 for label in labels)
