"""Streaming readers and writers of exchange files: CSV (UTF-8 or GBK/GB18030) and XLSX.

Nothing here holds a whole file: readers yield one row at a time from a binary file
object (the service spools uploads to a temporary file), writers consume an iterator of
rows and write as they go. XLSX goes through openpyxl's read-only and write-only modes;
the reader still keeps the workbook's shared-string table in memory (openpyxl has no other
way), which files written here do not have because openpyxl writes inline strings.

Row numbers are those a person sees in a spreadsheet: the header is on row 1 (or below a
title row or two), blank rows are skipped but still counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import IO

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from services.registry.exchange.layouts import (
    EXTRA_CELLS,
    HOUSEHOLD_NUMBER,
    Layout,
    detect_layout,
    normalize_header,
)
from services.registry.exchange.parsing import ParsedHousehold, parse_households
from shared.errors import InvalidInput

CHUNK_SIZE = 64 * 1024
# Exports often put a title such as 贫困人口明细 above the header; look this far for it.
HEADER_SEARCH_ROWS = 10
SHEET_TITLE = "贫困人口明细"
_XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a ZIP archive


class FileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


RawRows = Iterator[tuple[int, list[str]]]


@dataclass(slots=True)
class Table:
    """An opened exchange file: its header is read and accepted, its rows are still unread."""

    layout: Layout
    headers: tuple[str, ...]  # normalised, in file order; "" for a blank header cell
    header_row: int
    rows: Iterator[tuple[int, dict[str, str]]]  # (row number, header -> cell text)
    format: FileFormat
    encoding: str | None  # of a CSV file


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the first chunk decodes as UTF-8, else GB18030.

    GB18030 is a superset of GBK and GB2312, so it reads whatever the older provincial
    tools wrote. The decoder is incremental so that a character cut by the chunk's end
    does not count as invalid.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


class _Replay(io.RawIOBase):
    """The bytes already read for sniffing, then the rest of the file: no seek needed."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _csv_rows(head: bytes, rest: IO[bytes], encoding: str) -> RawRows:
    text = io.TextIOWrapper(io.BufferedReader(_Replay(head, rest)), encoding, newline="")
    number = 0
    try:
        for number, cells in enumerate(csv.reader(text), start=1):
            yield number, cells
    except UnicodeDecodeError:
        # Text is decoded a block ahead of the CSV parser, so the row is approximate.
        raise InvalidInput(
            f"第{number + 1}行附近无法按{encoding}解码 / the file cannot be decoded as "
            f"{encoding} near row {number + 1}; save it as UTF-8 or GBK"
        ) from None
    except csv.Error as exc:
        raise InvalidInput(
            f"第{number + 1}行CSV格式错误 / malformed CSV at row {number + 1}: {exc}"
        ) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(head: bytes, rest: IO[bytes]) -> RawRows:
    if rest.seekable():
        rest.seek(0)
        yield from _workbook_rows(rest)
        return
    # A ZIP is read from its end: spool a non-seekable stream (to disk past 1 MiB).
    with tempfile.SpooledTemporaryFile(max_size=1 << 20) as spooled:
        spooled.write(head)
        shutil.copyfileobj(rest, spooled, CHUNK_SIZE)
        spooled.seek(0)
        yield from _workbook_rows(spooled)


def _workbook_rows(source: IO[bytes]) -> RawRows:
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InvalidInput(f"不是可读的XLSX文件 / not a readable XLSX file: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        # Some tools write a wrong sheet dimension; without this, rows past it are lost.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def open_table(fileobj: IO[bytes], fmt: FileFormat | None = None) -> Table:
    """Open an exchange file, reading up to its header; its rows are read lazily.

    Raises `InvalidInput` when the file is unreadable or its header is not a layout's
    (naming unknown and missing columns). Bad cells are not this function's business.
    """
    head = fileobj.read(CHUNK_SIZE)
    fmt = fmt or (FileFormat.xlsx if head.startswith(_XLSX_MAGIC) else FileFormat.csv)
    encoding: str | None = None
    if fmt is FileFormat.xlsx:
        if not head.startswith(_XLSX_MAGIC):
            raise InvalidInput("不是XLSX文件 / not an XLSX file")
        raw = _xlsx_rows(head, fileobj)
    else:
        encoding = detect_encoding(head)
        raw = _csv_rows(head, fileobj, encoding)
    for number, cells in raw:
        headers = tuple(normalize_header(c) for c in cells)
        if HOUSEHOLD_NUMBER in headers:
            layout = detect_layout(headers)
            return Table(layout, headers, number, _records(raw, headers), fmt, encoding)
        if number >= HEADER_SEARCH_ROWS:
            break
    raise InvalidInput(
        f"前{HEADER_SEARCH_ROWS}行中没有含“{HOUSEHOLD_NUMBER}”的表头 / no header row with "
        f"{HOUSEHOLD_NUMBER} in the first {HEADER_SEARCH_ROWS} rows"
    )


def _records(raw: RawRows, headers: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    named = [h for h in headers if h]
    plain = len(named) == len(headers)  # no blank header: rows of full width map directly
    for number, cells in raw:
        if not "".join(cells).strip():
            continue  # a blank row
        if plain and len(cells) == len(headers):
            yield number, dict(zip(headers, cells, strict=True))
            continue
        row = dict.fromkeys(named, "")  # a short row leaves the rest blank
        extra: list[str] = []
        for i, text in enumerate(cells):
            header = headers[i] if i < len(headers) else ""
            if header:
                row[header] = text
            elif text.strip():
                extra.append(text.strip())
        if extra:
            row[EXTRA_CELLS] = " | ".join(extra)
        yield number, row


def read_households(fileobj: IO[bytes], fmt: FileFormat | None = None) -> Iterator[ParsedHousehold]:
    """Open the file (header errors raise here) and parse its households one by one."""
    table = open_table(fileobj, fmt)
    return parse_households(table.rows, table.layout)


def iter_csv(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    encoding: str = "utf-8-sig",
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """CSV as byte chunks of about `chunk_size` characters, for a StreamingResponse.

    The default UTF-8 with BOM is what Excel needs to open Chinese text correctly;
    pass "gb18030" for tools that only read GBK.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    encoder = codecs.getincrementalencoder(encoding)()
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= chunk_size:
            yield encoder.encode(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    yield encoder.encode(buffer.getvalue(), final=True)


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[str]], stream: IO[str]) -> None:
    """CSV to a text stream opened by the caller (with newline="" and its encoding)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    path: str | os.PathLike[str],
    *,
    sheet_title: str = SHEET_TITLE,
) -> None:
    """XLSX to a file path, row by row (openpyxl write-only mode). Every cell is text,
    so ID numbers and codes such as "01" keep their exact form in Excel."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(os.fspath(path))
