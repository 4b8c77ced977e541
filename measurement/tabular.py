"""Reading rows as people's spreadsheets really have them.

CSV in UTF-8 (with or without a byte-order mark) or Windows-1252, comma or semicolon
separated; XLSX streamed with openpyxl's read-only mode; a JSON list of objects. Values
parse with the same tolerance: decimal commas, ISO or day/month/year dates, Excel serial
numbers and XLSX date cells. Everything streams: one row at a time, bounded memory.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime as django_parse_datetime

from roadmap_site.dates import EARLIEST_YEAR, LATEST_YEAR, plausible_year

SAMPLE_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
# Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in); serials up to 9999-12-31.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_MAX_SERIAL = 2958465


class ValueProblem(ValueError):
    """A value that does not parse; the message is for the person who sent the file."""


class FileProblem(ValueError):
    """A file that cannot be read at all (not CSV/XLSX/JSON, no header, too many rows)."""


@dataclass
class Table:
    """A file's header and its rows, read lazily: `rows` yields (row number, values),
    numbered as a spreadsheet shows them (the header is row 1)."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    format: str  # "csv", "xlsx", "json"
    encoding: str = ""
    delimiter: str = ""


def open_table(stream: IO[bytes]) -> Table:
    """Detect the format from the first bytes and open it for reading."""
    head = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if head.startswith(XLSX_MAGIC):
        return _open_xlsx(stream)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"[", b"{"):
        return _open_json(stream)
    return _open_csv(stream, head)


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig when the sample decodes as UTF-8 (a character cut at the sample's end is
    fine), otherwise Windows-1252, what Excel on Windows saves as "CSV"."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def detect_delimiter(lines: str) -> str:
    """Comma or semicolon (or tab), from the first lines; a comma when unsure."""
    try:
        return csv.Sniffer().sniff(lines, delimiters=",;\t").delimiter
    except csv.Error:
        header = lines.splitlines()[0] if lines else ""
        return ";" if header.count(";") > header.count(",") else ","


def _open_csv(stream: IO[bytes], head: bytes) -> Table:
    encoding = detect_encoding(head)
    sample = head.decode(encoding, errors="replace")
    first_lines = "\n".join(sample.splitlines()[:5])
    delimiter = detect_delimiter(first_lines)
    # cp1252 leaves five bytes undefined; a stray one reads as U+FFFD instead of failing.
    # A StreamReader, not a TextIOWrapper: the wrapper closes the caller's file when it is
    # garbage-collected, and the caller may read the file again (preview, then import).
    text = codecs.getreader(encoding)(stream, "replace")
    reader = csv.reader(text, delimiter=delimiter)
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise FileProblem("The file is empty: the first row should name the columns.")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, row in enumerate(reader, start=2):
            if any(cell.strip() for cell in row):
                yield number, row

    return Table([h.strip() for h in header], rows(), "csv", encoding, delimiter)


def _open_xlsx(stream: IO[bytes]) -> Table:
    import openpyxl  # loaded on first XLSX only: it is a large import
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        raise FileProblem(f"This is not an XLSX workbook Excel can open ({error}).") from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    header = next(cells, None)
    if header is None or not any(h not in (None, "") for h in header):
        book.close()
        raise FileProblem("The first sheet is empty: its first row should name the columns.")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(cells, start=2):
                if any(cell not in (None, "") for cell in row):
                    yield number, list(row)
        finally:
            book.close()

    return Table(["" if h is None else str(h).strip() for h in header], rows(), "xlsx")


def _open_json(stream: IO[bytes]) -> Table:
    """A list of objects, or an object holding one (`{"data": [...]}`). The document is
    size-capped before it gets here, so loading it whole stays bounded."""
    try:
        document = json.loads(stream.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FileProblem(f"This is not valid JSON ({error}).") from None
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise FileProblem("The JSON object should hold exactly one list of rows.")
        document = lists[0]
    if not isinstance(document, list) or not all(isinstance(i, dict) for i in document):
        raise FileProblem("The JSON document should be a list of objects, one per row.")
    header: dict[str, None] = {}
    for item in document:
        header.update(dict.fromkeys(str(k) for k in item))
    columns = list(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Item 1 is row 2, as if the keys were a header row.
        for number, item in enumerate(document, start=2):
            yield number, [item.get(c) for c in columns]

    return Table(columns, rows(), "json")


# Values ---------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed into Excel comes back as 1234.0
    return str(value).strip()


def parse_decimal(value: Any) -> Decimal:
    """12.5, 12,5 (decimal comma), 1,234.5 and 1.234,5 (the last separator is the
    decimal one), spaces as thousands separators, numbers from XLSX cells."""
    if isinstance(value, bool):
        raise ValueProblem("Not a number.")
    if isinstance(value, int | float | Decimal):
        result = Decimal(str(value))
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", str(value))
        if "," in text and "." in text:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueProblem("Not a number.") from None
    if not result.is_finite():
        raise ValueProblem("Not a number.")
    # No figure a spreadsheet holds needs more than 18 digits either side of the point; a
    # cell like 1e10000000 would otherwise cost minutes of work wherever it is used.
    if result and not -18 <= result.adjusted() <= 18:
        raise ValueProblem("Too large or too small a number.")
    return result


def parse_int(value: Any) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise ValueProblem("Not a whole number.")
    return int(number)


def _excel_serial(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{1,7}([.,]\d+)?", value.strip()):
        number = float(value.strip().replace(",", "."))
    else:
        return None
    return number if 1 <= number <= EXCEL_MAX_SERIAL else None


DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_date(value: Any) -> date:
    """ISO (2026-05-31), day first (31/05/2026, 31.05.2026), an Excel serial (46173) or
    an XLSX date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    serial = _excel_serial(value)
    if serial is not None:
        return EXCEL_EPOCH + timedelta(days=int(serial))
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        match = DAY_FIRST.fullmatch(text)
        if match and match.group(4) is None:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        raise ValueProblem("Not a real date.") from None
    raise ValueProblem("Not a date: use 2026-05-31 or 31/05/2026.")


def parse_month(value: Any) -> date:
    """A month as its first day: 2026-05, 05/2026, or any date in it."""
    text = parse_text(value) if isinstance(value, str) else ""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if match:
        year, month = (
            (match.group(1), match.group(2))
            if len(match.group(1)) == 4
            else (match.group(2), match.group(1))
        )
        try:
            return date(int(year), int(month), 1)
        except ValueError:
            raise ValueProblem("Not a real month.") from None
    return parse_date(value).replace(day=1)


def parse_datetime(value: Any, zone: ZoneInfo) -> datetime:
    """An aware date and time: ISO 8601 with or without an offset, day first
    (31/05/2026 14:30), an Excel serial with its fraction, an XLSX cell, or a bare date
    (midnight). Without an offset, the time is on the organisation's clock."""
    moment: datetime | None = None
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-":
        try:  # the common case, ISO 8601 from a system export, parsed in C
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is not None:
        pass
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif (serial := _excel_serial(value)) is not None:
        moment = datetime.combine(EXCEL_EPOCH, time()) + timedelta(days=serial)
        moment = moment.replace(microsecond=0)
    else:
        text = str(value).strip()
        try:
            moment = django_parse_datetime(
                text.replace("Z", "+00:00") if text.endswith("Z") else text
            )
            if moment is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                moment = datetime.combine(date.fromisoformat(text), time())
            if moment is None and (match := DAY_FIRST.fullmatch(text)):
                day, month, year, hour, minute, second = match.groups()
                moment = datetime(
                    int(year),
                    int(month),
                    int(day),
                    int(hour or 0),
                    int(minute or 0),
                    int(second or 0),
                    tzinfo=zone,
                )
        except ValueError:
            raise ValueProblem("Not a real date and time.") from None
    if moment is None:
        raise ValueProblem("Not a date and time: use 2026-05-31T14:30:00Z or 31/05/2026 14:30.")
    if not plausible_year(moment):
        raise ValueProblem(f"Not between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
