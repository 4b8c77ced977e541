"""An admin imports a spreadsheet of KPI readings in the demo: uploads a CSV with some bad
rows, sees the preview and its errors before anything is written, fixes the mapping,
imports, reads the run and its refused rows, and sees the KPI move. Looked at at laptop
(1280) and phone (390) widths."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from measurement import demo as measurement_demo
from measurement.models import KpiValue
from roadmap.demo import load_demo
from roadmap_site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "Reading date;Days;Comment\n"
    "15/11/2026;65,5;After the pilot\n"
    "20/11/2026;sixty;Typed in words\n"
    "=1+1;68;\n"
    "28/11/2026;64;\n"
)


def test_upload_preview_import_and_see_the_kpi_move(
    page: Page, live_server, sign_in, screenshot, tmp_path
):
    demo = load_demo()
    sign_in(demo.users["demo@example.com"], DEMO_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/measurement/")
    page.get_by_role("link", name="Data sources").click()
    expect(page.get_by_role("heading", name="Data sources", level=1)).to_be_visible()
    row = page.get_by_role("row", name=measurement_demo.DEMO_FILE_SOURCE)
    expect(row).to_contain_text("Partial")
    screenshot("imports-sources-laptop")

    row.get_by_role("link", name=measurement_demo.DEMO_FILE_SOURCE).click()
    upload = tmp_path / "readings.csv"
    upload.write_bytes(CSV.encode("cp1252"))
    page.get_by_label("CSV or XLSX file").set_input_files(upload)
    page.get_by_role("button", name="Upload and preview").click()

    # The saved mapping expects "Month": the preview says so, and nothing is written.
    expect(page.get_by_role("alert")).to_contain_text("No column for date")
    overall = KpiValue.objects.filter(kpi__name="Time to full productivity", segment="")
    before = overall.count()
    page.get_by_label("Date", exact=True).select_option("Reading date")
    page.get_by_label("Value", exact=True).select_option("Days")
    page.get_by_label("Note (optional)").select_option("Comment")
    page.get_by_role("button", name="Check again").click()
    table = page.get_by_role("region", name="First rows of the file (scrolls sideways)")
    expect(table).to_contain_text("Not a number.")
    expect(table).to_contain_text("Not a date")
    assert overall.count() == before
    screenshot("imports-preview-laptop")
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("imports-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Status: Partly written")).to_be_visible()
    errors = page.get_by_role("region", name="Refused rows (scrolls sideways)")
    expect(errors).to_contain_text("sixty")
    expect(errors).to_contain_text("=1+1")
    screenshot("imports-run-laptop")
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("imports-run-phone")

    assert overall.count() == before + 2
    assert overall.order_by("-date").first().value == Decimal(64)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/measurement/")
    page.get_by_role("link", name="Time to full productivity").first.click()
    expect(page.get_by_text("64 days").first).to_be_visible()
    expect(page.locator("[data-chart] .main-svg").first).to_be_visible()
    screenshot("imports-kpi-moved-laptop")
