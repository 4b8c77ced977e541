"""Reading a download back as a spreadsheet program would: CSV with the csv module, XLSX
with openpyxl."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def body(response) -> bytes:
    """The whole body, streamed or not (a FileResponse streams too)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response) -> list[list[str]]:
    data = body(response)
    assert data.startswith("\ufeff".encode()), "no byte-order mark: Excel would misread UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))
