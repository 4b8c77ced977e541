"""Lists as downloads: a table is a list of columns (a header and how to read the value from
a row); `download` answers a view's `?format=csv|xlsx` with the rows in that format.

CSV streams: a generator over `queryset.iterator()` writes a few hundred rows per chunk, so
a million learner events leave the server in constant memory. UTF-8 with a byte-order mark
(Excel reads it as UTF-8 then), RFC 4180 quoting and line ends (the csv module's defaults).

XLSX cannot stream (a zip whose directory comes last), so openpyxl's write-only workbook
writes the rows to a temporary file, which is then sent as a file. Cells are typed: numbers
are numbers (a negative one too), dates are dates.

Formula injection (OWASP "CSV injection", ASVS 5.0 1.2.10): a spreadsheet runs a text cell
that starts with = + - @ tab or CR as a formula, so such a cell gets a leading single quote.
Only text is escaped; numbers and dates are written as what they are.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django_ratelimit.decorators import ratelimit
from django_scopes import scope
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from roadmap_site.models import Organization

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows fetched per database round trip, and CSV rows per chunk sent.
CHUNK_SIZE = 2000
ROWS_PER_CHUNK = 500
# Excel's last row is 1,048,576; one is the header and one says what was left out.
XLSX_MAX_ROWS = 1_048_574


def download_rate(group: str, request: HttpRequest) -> str:
    return settings.DOWNLOAD_RATE


# Each download reads a whole list: one budget per user across every list (429 past it).
rate_limited = ratelimit(group="downloads", key="user", rate=download_rate, block=True)

type Cell = str | int | float | Decimal | date | datetime | None


@dataclass(frozen=True)
class Column:
    """One column: its header and its value, either a dotted attribute path ("owner.name",
    "get_state_display": a method is called) or a function of the row."""

    header: str
    value: str | Callable[[Any], Any]

    def of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        value = row
        for name in self.value.split("."):
            if value is None:
                return None
            value = getattr(value, name)
            if callable(value):
                value = value()
        return value


@dataclass(frozen=True)
class Table:
    """A list as a download: `name` goes in the file name (`<org>-<name>-<date>.csv`)."""

    name: str
    columns: Sequence[Column]
    # An XLSX cannot stream and takes ~0.13 ms a row to write: a list that can reach
    # millions of rows (learner events) caps its XLSX well below Excel's limit.
    xlsx_max_rows: int = XLSX_MAX_ROWS

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def escape_text(text: str) -> str:
    """A text cell a spreadsheet would read as a formula, made plain text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _plain(value: Any, zone: tzinfo) -> Cell:
    """A value as a cell: numbers and dates kept, times on the organisation's clock without
    their zone (spreadsheets have none), anything else escaped text."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    # Characters XLSX cannot hold go first: "\x01=HYPERLINK(…)" must not lose its \x01
    # after the check and become a formula.
    return escape_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _csv_text(cell: Cell) -> str | Cell:
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="seconds")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return format(cell, "f")
    return cell


def _records(table: Table, rows: Iterable[Any], org: Organization) -> Iterator[list[Cell]]:
    """The table's rows as cells; a queryset is read in chunks, inside the organisation's
    scope (a streamed body is read after the view has returned)."""
    if isinstance(rows, models.QuerySet):
        rows = rows.iterator(chunk_size=CHUNK_SIZE)
    zone = org.zone
    with scope(organization=org):
        for row in rows:
            yield [_plain(column.of(row), zone) for column in table.columns]


class _Echo:
    """A file whose `write` hands the text back: csv.writer then formats one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(table: Table, rows: Iterable[Any], org: Organization) -> Iterator[bytes]:
    """The CSV file in chunks of `ROWS_PER_CHUNK` rows, starting with the byte-order mark."""
    writer = csv.writer(_Echo())
    chunk = ["\ufeff", writer.writerow(table.headers)]
    for record in _records(table, rows, org):
        chunk.append(writer.writerow([_csv_text(cell) for cell in record]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def write_xlsx(table: Table, rows: Iterable[Any], org: Organization, file: Any) -> int:
    """Write the workbook to `file`; returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
    bold = Font(bold=True)
    header_cells = []
    for header in table.headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    written = 0
    for record in _records(table, rows, org):
        if written == min(table.xlsx_max_rows, XLSX_MAX_ROWS):
            sheet.append([f"Only the first {written:,} rows: download the CSV for all of them."])
            break
        sheet.append(record)  # text already without the characters XLSX cannot hold
        written += 1
    workbook.save(file)
    return written


def filename(org: Organization, table: Table, extension: str) -> str:
    return f"{org.slug}-{table.name}-{org.today().isoformat()}.{extension}"


def requested_format(request: HttpRequest) -> str | None:
    """The format asked for, or None when it is neither csv nor xlsx."""
    chosen = request.GET.get("format", "csv")
    return chosen if chosen in FORMATS else None


def download(
    request: HttpRequest, *, org: Organization, table: Table, rows: Iterable[Any]
) -> HttpResponseBase:
    """The rows as `?format=csv` (the default, streamed) or `xlsx`; 400 for another."""
    chosen = requested_format(request)
    if chosen is None:
        return HttpResponse("Choose format=csv or format=xlsx.", status=400)
    name = filename(org, table, chosen)
    if chosen == "csv":
        response = StreamingHttpResponse(
            csv_chunks(table, rows, org), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # Deleted when closed (FileResponse closes it once sent).
    file = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(table, rows, org, file)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
