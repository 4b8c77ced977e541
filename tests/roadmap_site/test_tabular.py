"""The download module itself (roadmap_site/tabular.py): formula escaping, typed XLSX cells,
RFC 4180 CSV with a byte-order mark, streaming in chunks, file names, a refused format."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
import time_machine
from django.http import FileResponse, StreamingHttpResponse
from django.test import RequestFactory

from roadmap_site import tabular
from roadmap_site.tabular import Column, Table
from tests.downloads import body, read_csv, read_xlsx

pytestmark = pytest.mark.django_db

TABLE = Table(
    "things",
    [
        Column("Name", "name"),
        Column("Amount", "amount"),
        Column("Owner", "owner.name"),
        Column("Upper", lambda row: row.name.upper()),
    ],
)


def thing(name="Plain", amount=Decimal("1.5"), owner="Ana"):
    return SimpleNamespace(name=name, amount=amount, owner=SimpleNamespace(name=owner))


def download(org, rows, table=TABLE, fmt="csv"):
    request = RequestFactory().get("/", {"format": fmt})
    return tabular.download(request, org=org, table=table, rows=rows)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_a_spreadsheet_would_run_gets_a_quote_in_both_formats(org, start):
    formula = f'{start}HYPERLINK("http://evil.test")'
    rows = [thing(name=formula, owner=f"{start}1+1")]

    csv_rows = read_csv(download(org, rows))
    xlsx_rows = read_xlsx(download(org, rows, fmt="xlsx"))

    assert csv_rows[1][0] == f"'{formula}"
    assert csv_rows[1][2] == f"'{start}1+1"
    # XML reads a carriage return back as a line feed (its line-end normalisation).
    assert xlsx_rows[1][0] == f"'{formula}".replace("\r", "\n")
    assert xlsx_rows[1][2] == f"'{start}1+1".replace("\r", "\n")


def test_harmless_text_and_numbers_are_left_alone(org):
    rows = [thing(name="Sales onboarding = better", amount=Decimal("-12.5"))]

    csv_rows = read_csv(download(org, rows))
    xlsx_rows = read_xlsx(download(org, rows, fmt="xlsx"))

    assert csv_rows[1][:2] == ["Sales onboarding = better", "-12.5"]
    # A negative number is a number, not text escaped as a formula.
    assert xlsx_rows[1][1] == -12.5
    assert isinstance(xlsx_rows[1][1], float)


def test_xlsx_cells_are_typed_and_times_are_on_the_organisations_clock(org):
    org.time_zone = "America/New_York"
    table = Table(
        "typed",
        [
            Column("Day", "day"),
            Column("At", "at"),
            Column("Count", "count"),
            Column("Nothing", "nothing"),
        ],
    )
    row = SimpleNamespace(
        day=date(2027, 3, 1), at=datetime(2027, 3, 1, 17, 30, tzinfo=UTC), count=7, nothing=None
    )

    header, values = read_xlsx(download(org, [row], table=table, fmt="xlsx"))
    csv_values = read_csv(download(org, [row], table=table))[1]

    assert header == ("Day", "At", "Count", "Nothing")
    # Spreadsheet cells have no zone: noon thirty on New York's clock, read back naive.
    naive = (datetime(2027, 3, 1), datetime(2027, 3, 1, 12, 30))  # noqa: DTZ001
    assert values == (*naive, 7, None)
    assert csv_values == ["2027-03-01", "2027-03-01 12:30:00", "7", ""]


def test_csv_quotes_as_rfc_4180_says(org):
    tricky = 'Says "hello", then\r\nleaves'
    response = download(org, [thing(name=tricky)])
    raw = b"".join(response.streaming_content).decode("utf-8-sig")

    assert raw.splitlines(keepends=True)[0] == "Name,Amount,Owner,Upper\r\n"
    assert '"Says ""hello"", then\r\nleaves"' in raw
    assert read_csv(download(org, [thing(name=tricky)]))[1][0] == tricky


def test_characters_xlsx_cannot_hold_are_dropped_not_a_crash(org):
    rows = [thing(name="bell\x07 and null\x00 gone")]

    assert read_xlsx(download(org, rows, fmt="xlsx"))[1][0] == "bell and null gone"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_control_character_before_a_formula_does_not_smuggle_it_through(org, fmt):
    """XLSX cannot hold \x01: were it dropped after the check, the cell would be a formula."""
    rows = [thing(name='\x01=HYPERLINK("http://evil.example","open")')]
    response = download(org, rows, fmt=fmt)

    cell = read_xlsx(response)[1][0] if fmt == "xlsx" else read_csv(response)[1][0]

    assert cell == '\'=HYPERLINK("http://evil.example","open")'
    if fmt == "xlsx":
        again = download(org, rows, fmt=fmt)
        sheet = openpyxl.load_workbook(io.BytesIO(body(again))).active
        assert sheet["A2"].data_type == "s"  # text, not "f"


def test_csv_streams_in_chunks_of_rows(org):
    rows = [thing(name=f"Row {n}") for n in range(2 * tabular.ROWS_PER_CHUNK + 10)]

    response = download(org, rows)
    chunks = list(response.streaming_content)

    assert isinstance(response, StreamingHttpResponse)
    assert len(chunks) == 3
    assert all(len(chunk) < 40_000 for chunk in chunks)


def test_xlsx_is_a_file_with_the_row_count(org):
    rows = [thing(name=f"Row {n}") for n in range(25)]

    response = download(org, rows, fmt="xlsx")

    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(read_xlsx(response)) == 26


def test_file_name_says_organisation_list_and_day(org):
    org.slug = "northwind"
    with time_machine.travel(datetime(2027, 2, 3, 9, tzinfo=UTC)):
        csv_response = download(org, [])
        xlsx_response = download(org, [], fmt="xlsx")

    assert csv_response["Content-Disposition"] == (
        'attachment; filename="northwind-things-2027-02-03.csv"'
    )
    assert 'filename="northwind-things-2027-02-03.xlsx"' in xlsx_response["Content-Disposition"]


def test_another_format_is_refused(org):
    response = download(org, [thing()], fmt="pdf")

    assert response.status_code == 400


def test_xlsx_past_the_spreadsheet_row_limit_says_so_in_its_last_row(org, monkeypatch):
    monkeypatch.setattr(tabular, "XLSX_MAX_ROWS", 3)
    rows = [thing(name=f"Row {n}") for n in range(5)]

    _, *written = read_xlsx(download(org, rows, fmt="xlsx"))

    assert [row[0] for row in written[:3]] == ["Row 0", "Row 1", "Row 2"]
    assert written[3][0] == "Only the first 3 rows: download the CSV for all of them."
    assert len(written) == 4


def test_a_table_can_cap_its_xlsx_lower(org):
    capped = Table("capped", TABLE.columns, xlsx_max_rows=2)
    rows = [thing(name=f"Row {n}") for n in range(3)]

    _, *written = read_xlsx(download(org, rows, table=capped, fmt="xlsx"))
    _, *every = read_csv(download(org, rows, table=capped))

    assert [row[0] for row in written] == [
        "Row 0",
        "Row 1",
        "Only the first 2 rows: download the CSV for all of them.",
    ]
    assert len(every) == 3  # the CSV has them all
