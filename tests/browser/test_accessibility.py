"""Accessibility guard: every main page of the demo organisation, run through axe-core at a
laptop and a phone width, must have no serious or critical violation, one h1, and no
sideways scrolling on the phone. Keyboard users reach the skip link first and see focus.

axe-core is vendored under `tests/browser/vendor/` (test-only, never served). The app's CSP
allows only its own nonced scripts, so these contexts bypass CSP to inject axe.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from measurement.models import ImportRun, Kpi, MetricSource, Program
from roadmap.demo import (
    DEMO_INTAKE_TOKEN,
    DEMO_SCOPED_SHARE_TOKEN,
    DEMO_SHARE_TOKEN,
    DEMO_STATUS_TOKEN,
    load_demo,
)
from roadmap.models import Decision, Roadmap, RoadmapReview, TrainingRequest
from roadmap_site.demo import DEMO_PASSWORD
from strategy.models import MaturityAssessment, Strategy
from tests.browser.htmx import charts_drawn, settled

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Every violation of any impact, for a person to read (the test fails only on serious ones).
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "axe-report.json"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WIDTHS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Runs in the page: only what the assertion message needs, so the payload stays small.
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
    count: v.nodes.length,
  }));
}"""

PAGE_FACTS = """() => ({
  h1: document.querySelectorAll("h1").length,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
})"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}


def demo_pages() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, path) of the pages to check: signed in as the demo admin, and signed out."""
    demo = load_demo()
    org = demo.org
    roadmap = Roadmap.objects.for_org(org).order_by("pk").first()
    request = TrainingRequest.objects.for_org(org).order_by("pk").first()
    strategy = Strategy.objects.for_org(org).order_by("pk").first()
    assessment = MaturityAssessment.objects.for_org(org).order_by("pk").first()
    kpi = Kpi.objects.for_org(org).order_by("pk").first()
    program = Program.objects.for_org(org).first()
    source = MetricSource.objects.for_org(org).filter(kind="file").first()
    run = ImportRun.objects.for_org(org).first()
    review = RoadmapReview.objects.for_org(org).order_by("-reviewed_at").first()
    decided = Decision.objects.for_org(org).filter(kind="stop").first()
    signed_in = [
        ("roadmap-list", "/roadmaps/"),
        ("roadmap", f"/roadmaps/{roadmap.pk}/"),
        ("initiative", f"/initiatives/{roadmap.initiatives.order_by('pk').first().pk}/"),
        ("request-list", "/requests/"),
        ("request", f"/requests/{request.pk}/"),
        ("align-ledger", f"/roadmaps/{roadmap.pk}/align/"),
        (
            "align-not-doing",
            f"/roadmaps/{roadmap.pk}/align/cycles/{roadmap.cycles.order_by('start').first().pk}"
            "/not-doing/",
        ),
        ("export-options", f"/roadmaps/{roadmap.pk}/exports/new/"),
        ("change-log", f"/roadmaps/{roadmap.pk}/changes/"),
        ("quarterly-report", f"/roadmaps/{roadmap.pk}/reports/"),
        ("share", f"/roadmaps/{roadmap.pk}/share/"),
        ("calendar", f"/roadmaps/{roadmap.pk}/calendar/"),
        ("strategy", f"/strategy/{strategy.pk}/"),
        ("one-pager", f"/strategy/{strategy.pk}/one-pager/"),
        ("maturity-list", "/strategy/maturity/"),
        ("maturity", f"/strategy/maturity/{assessment.pk}/"),
        ("listening", "/strategy/listening/"),
        ("themes", "/strategy/themes/"),
        ("measurement", "/measurement/"),
        ("kpi", f"/measurement/kpis/{kpi.pk}/"),
        ("engagement", "/measurement/engagement/"),
        ("program", f"/measurement/programs/{program.pk}/"),
        ("measurement-dashboard", "/measurement/dashboard/"),
        ("leadership-alignment", "/measurement/alignment/"),
        ("xapi-activities", "/measurement/xapi/activities/"),
        ("sme-engagement", "/sme-engagement/"),
        ("sources", "/measurement/sources/"),
        ("source", f"/measurement/sources/{source.pk}/"),
        ("source-edit", f"/measurement/sources/{source.pk}/edit/"),
        ("import-run", f"/measurement/runs/{run.pk}/"),
        ("people", "/org/people/"),
        ("members", "/org/members/"),
        ("org-settings", "/org/settings/"),
        ("api-tokens", "/org/api-tokens/"),
        ("iterate", f"/roadmaps/{roadmap.pk}/iterate/"),
        ("iterate-initiative", f"/initiatives/{decided.initiative_id}/iterate/"),
        ("review-new", f"/roadmaps/{roadmap.pk}/reviews/new/"),
        ("review", f"/reviews/{review.pk}/"),
    ]
    signed_out = [
        ("intake", f"/intake/{DEMO_INTAKE_TOKEN}/"),
        ("request-status", f"/status/{DEMO_STATUS_TOKEN}/"),
        ("shared-roadmap", f"/s/{DEMO_SHARE_TOKEN}/"),
        ("shared-roadmap-scoped", f"/s/{DEMO_SCOPED_SHARE_TOKEN}/"),
        ("login", "/accounts/login/"),
        ("signup", "/signup/"),
    ]
    return signed_in, signed_out


def sign_in_demo(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-mail").fill("demo@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def check(page: Page, url: str, name: str, screenshot, report: dict) -> list[str]:
    """Problems on one page at both widths; screenshots as `a11y-<name>-<width>.png`."""
    problems = []
    for width_name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(url)
        charts_drawn(page)  # charts load Plotly after the page
        settled(page)
        screenshot(f"a11y-{name}-{width_name}", of=page)
        facts = page.evaluate(PAGE_FACTS)
        if facts["h1"] != 1:
            problems.append(f"{name} @{width_name}: {facts['h1']} h1 elements, want 1")
        if width_name == "phone" and facts["overflow"] > 0:
            problems.append(f"{name} @phone: scrolls sideways by {facts['overflow']}px")
        # Both widths: a phone layout has its own scrolling regions, overlaps and contrast.
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE, AXE_TAGS)
        report[f"{name}@{width_name}"] = violations
        for v in violations:
            if v["impact"] in {"serious", "critical"}:
                problems.append(
                    f"{name} @{width_name}: {v['id']} ({v['impact']}, {v['count']} nodes):"
                    f" {v['help']} -> {v['targets']}"
                )
    return problems


def test_every_page_passes_axe_at_laptop_and_phone_widths(
    page: Page, new_context, live_server, screenshot, settings
):
    settings.DEBUG = True  # the demo's fixed, published tokens
    signed_in, signed_out = demo_pages()
    problems, report = [], {}

    sign_in_demo(page, live_server.url)
    for name, path in signed_in:
        problems += check(page, f"{live_server.url}{path}", name, screenshot, report)

    anonymous = new_context().new_page()
    for name, path in signed_out:
        problems += check(anonymous, f"{live_server.url}{path}", name, screenshot, report)

    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1))
    assert not problems, "\n".join(problems)


def test_keyboard_reaches_skip_link_first_and_focus_is_visible(page: Page, live_server):
    load_demo()
    sign_in_demo(page, live_server.url)
    page.goto(f"{live_server.url}/roadmaps/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # Keyboard focus shows an outline on links, buttons and the organisation menu.
    for target in [
        page.get_by_role("link", name="Roadmap", exact=True),
        page.locator(".menu summary"),
        page.get_by_role("button", name="Sign out"),
        page.locator("main a").first,
    ]:
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
        expect(target).to_be_focused()
        outline = target.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none", f"no visible focus on {target}"

    # On a phone the organisation menu is reachable and opens by keyboard.
    page.set_viewport_size({"width": 390, "height": 844})
    menu = page.locator(".menu summary")
    menu.focus()
    page.keyboard.press("Enter")
    people = page.get_by_role("link", name="People")
    expect(people).to_be_visible()
    box = people.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert re.search(r"/org/people/$", people.get_attribute("href") or "")
