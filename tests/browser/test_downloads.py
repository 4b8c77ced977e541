"""A viewer of the demo filters the request list, downloads what they see as CSV, then the
Align page's commitments as XLSX, and opens both as a spreadsheet program would. Looked at
at laptop (1280) and phone (390) widths."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from roadmap.demo import load_demo
from roadmap.models import TrainingRequest
from roadmap_site.demo import DEMO_PASSWORD
from tests.browser.htmx import settled

pytestmark = pytest.mark.django_db(transaction=True)


def test_download_the_filtered_request_list_and_the_commitments(
    page: Page, live_server, sign_in, screenshot
):
    demo = load_demo()
    sign_in(demo.users["viewer@example.com"], DEMO_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/requests/")
    page.get_by_label("State").select_option(label="Declined")
    expected = set(
        TrainingRequest.objects.filter(org=demo.org, state="declined").values_list(
            "title", flat=True
        )
    )
    settled(page.locator("#request-table h2").filter(has_text=f"{len(expected)} request"))
    screenshot("downloads-requests-laptop")

    csv_link = page.get_by_role("link", name="Download CSV of these requests")
    csv_link.focus()  # by keyboard
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.startswith(f"{demo.org.slug}-requests-")
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert {row[header.index("Request")] for row in rows} == expected
    assert {row[header.index("State")] for row in rows} == {"Declined"}

    page.goto(f"{live_server.url}/roadmaps/")
    page.get_by_role("link", name="Global onboarding roadmap").first.click()
    page.get_by_role("link", name="Commitments").first.click()
    screenshot("downloads-align-laptop")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX of the commitments").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    sheet = workbook.worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("Cycle", "Initiative", "Status")
    assert rows and all(row[2] in {"Committed", "In progress", "Delivered"} for row in rows)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("downloads-align-phone")
    page.goto(f"{live_server.url}/requests/?state=declined")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("downloads-requests-phone")
    page.goto(f"{live_server.url}/measurement/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("downloads-kpis-phone")
