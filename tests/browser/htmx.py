"""Waiting for a settled page instead of racing it.

htmx swaps new content in, then settles it a moment later (`htmx:afterSettle`), and the app
moves focus and draws charts at settle. A step that acts between the two races the app; on
a busy machine that window grows. So after anything that makes htmx swap, a test waits for
the content it expects and then for htmx to be idle; after a page load, for every chart to
be drawn. Never a fixed sleep.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

# In flight, being swapped, or swapped and not yet settled.
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling"


def settled(expected: Locator | Page) -> None:
    """Wait until `expected` (a locator) is visible and htmx has nothing in flight,
    swapping or settling. Given a page, only the second."""
    if isinstance(expected, Page):
        page = expected
    else:
        expect(expected).to_be_visible()
        page = expected.page
    page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})")


def charts_drawn(page: Page) -> None:
    """Wait until every chart on the page is drawn (app.js loads Plotly after the page)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-chart]")].every(
             el => el.dataset.drawn && el.querySelector(".main-svg"))"""
    )
