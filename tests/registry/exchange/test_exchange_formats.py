"""Readers and writers: CSV in UTF-8 (with or without BOM) and GBK/GB18030, and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from services.registry.exchange.formats import (
    CHUNK_SIZE,
    FileFormat,
    detect_encoding,
    iter_csv,
    open_table,
    read_households,
    write_csv,
    write_xlsx,
)
from services.registry.exchange.layouts import FULL, NATIONAL, Layout, format_rows
from services.registry.exchange.records import ExchangeHousehold
from shared.errors import InvalidInput
from tests.registry.exchange.exchange_samples import household


def households() -> list[ExchangeHousehold]:
    # 䶮 is in GB18030 but not in GBK: it proves the fallback is the wider encoding.
    second = household(national_number="H37040410420100002", village="䶮庄村")
    return [household(), second]


def csv_bytes(layout: Layout, encoding: str) -> bytes:
    return b"".join(iter_csv(layout.headers, format_rows(households(), layout), encoding=encoding))


def parsed(data: bytes, fmt: FileFormat | None = None) -> list[ExchangeHousehold]:
    result = list(read_households(io.BytesIO(data), fmt))
    assert [p.errors for p in result] == [(), ()]
    return [p.household for p in result if p.household is not None]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
@pytest.mark.parametrize("layout", [FULL, NATIONAL], ids=["full", "national"])
def test_csv_round_trip_in_each_encoding(encoding: str, layout: Layout) -> None:
    data = csv_bytes(layout, encoding)
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    table = open_table(io.BytesIO(data))
    assert table.layout is layout
    assert table.encoding == ("gb18030" if encoding == "gb18030" else encoding)
    back = parsed(data)
    if layout is FULL:
        assert back == households()
    assert [h.village for h in back] == ["后马寨村", "䶮庄村"]


def test_gbk_file_is_read_through_the_gb18030_fallback() -> None:
    data = csv_bytes(NATIONAL, "utf-8").decode().replace("䶮", "东").encode("gbk")
    assert [h.village for h in parsed(data)] == ["后马寨村", "东庄村"]


def test_detect_encoding() -> None:
    text = "户编号,姓名\n"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode()) == "utf-8-sig"
    assert detect_encoding(text.encode()) == "utf-8"
    assert detect_encoding(text.encode("gbk")) == "gb18030"
    # A chunk ending inside a UTF-8 character is still UTF-8.
    assert detect_encoding(text.encode() + "庄".encode()[:2]) == "utf-8"


def test_bytes_that_stop_decoding_after_the_first_chunk_are_a_clear_error() -> None:
    head = csv_bytes(NATIONAL, "utf-8")
    line = head.splitlines(keepends=True)[1]
    padding = line * (CHUNK_SIZE // len(line) + 10)
    data = head + padding + "乱码".encode("gbk") + b"\r\n"
    rows = open_table(io.BytesIO(data)).rows
    with pytest.raises(InvalidInput, match="UTF-8 or GBK"):
        list(rows)


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "明细.xlsx"
    write_xlsx(FULL.headers, format_rows(households(), FULL), path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["贫困人口明细"]
    workbook.close()
    with path.open("rb") as f:
        table = open_table(f)
        assert (table.format, table.layout) == (FileFormat.xlsx, FULL)
    assert parsed(path.read_bytes()) == households()


def test_xlsx_typed_cells_read_as_their_text(tmp_path: Path) -> None:
    """A workbook made in Excel holds numbers, not text; they must read the same."""
    h = households()[0]
    path = tmp_path / "typed.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["贫困人口明细"])  # a title row above the header
    sheet.append(list(NATIONAL.headers))
    for row in format_rows([h], NATIONAL):
        typed: list[object] = list(row)
        typed[NATIONAL.headers.index("人数")] = 3  # int
        typed[NATIONAL.headers.index("人均纯收入")] = float(row[25])  # 5150.17
        typed[NATIONAL.headers.index("务工时间(月)")] = float(row[16]) if row[16] else None
        typed[NATIONAL.headers.index("脱贫年度")] = 2017.0  # Excel's float
        sheet.append(typed)
    workbook.save(path)
    result = list(read_households(path.open("rb")))
    assert [p.errors for p in result] == [()]
    assert result[0].rows == (3, 4, 5)
    assert result[0].household is not None
    assert result[0].household.per_capita_net_income == h.per_capita_net_income


class OneWay(io.RawIOBase):
    """A stream that cannot seek, like a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_non_seekable_streams_are_read(tmp_path: Path) -> None:
    assert parsed(csv_bytes(FULL, "utf-8"))
    one_way_csv = io.BufferedReader(OneWay(csv_bytes(FULL, "gb18030")))
    assert len(list(read_households(one_way_csv))) == 2
    path = tmp_path / "x.xlsx"
    write_xlsx(FULL.headers, format_rows(households(), FULL), path)
    one_way_xlsx = io.BufferedReader(OneWay(path.read_bytes()))
    assert [p.household for p in read_households(one_way_xlsx)] == households()


def write_plain(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def test_header_errors_name_the_columns() -> None:
    headers = [h for h in NATIONAL.headers if h != "姓名"] + ["备注"]
    with pytest.raises(InvalidInput) as caught:
        open_table(io.BytesIO(write_plain([headers])))
    assert {e.loc for e in caught.value.errors} == {("header", "姓名"), ("header", "备注")}


def test_a_file_without_header_row_is_refused() -> None:
    with pytest.raises(InvalidInput, match="户编号"):
        open_table(io.BytesIO(write_plain([["a", "b"]] * 12)))
    with pytest.raises(InvalidInput, match="XLSX"):
        open_table(io.BytesIO(b"PK\x03\x04 not a zip"))


def test_row_numbers_count_title_and_blank_rows() -> None:
    body = list(format_rows(households()[:1], NATIONAL))
    bad = [*body[1]]
    bad[NATIONAL.headers.index("民族")] = "火星族"
    data = write_plain([["贫困人口明细"], list(NATIONAL.headers), body[0], [], bad, body[2]])
    table = open_table(io.BytesIO(data))
    assert table.header_row == 2
    (result,) = list(read_households(io.BytesIO(data)))
    assert result.rows == (3, 5, 6)
    assert [e.loc for e in result.errors] == [("row", 5, "民族")]


def test_short_rows_are_blank_and_long_rows_are_reported() -> None:
    body = list(format_rows(households()[:1], NATIONAL))
    short = body[2][:-1]  # no 联系电话 cell at all
    data = write_plain([list(NATIONAL.headers), [*body[0], "", "多余"], body[1], short])
    rows = list(open_table(io.BytesIO(data)).rows)
    assert rows[0][1]["(无表头的单元格)"] == "多余"
    assert rows[2][1]["联系电话"] == ""


def test_iter_csv_streams_chunks_equal_to_write_csv() -> None:
    rows = list(format_rows(households() * 200, FULL))
    chunks = list(iter_csv(FULL.headers, iter(rows), chunk_size=4096))
    assert len(chunks) > 10
    longest_row = max(len(",".join(r)) for r in rows) + 10
    assert all(len(c.decode("utf-8-sig")) <= 4096 + longest_row for c in chunks)
    text = io.StringIO(newline="")
    write_csv(FULL.headers, rows, text)
    assert b"".join(chunks) == b"\xef\xbb\xbf" + text.getvalue().encode()


def test_a_formula_is_never_exported() -> None:
    """Text columns refuse a leading '=', so nothing read can become a formula on export."""
    h = households()[0]
    evil = replace(h, members=(replace(h.members[0], name="=1+1"), *h.members[1:]))
    data = b"".join(iter_csv(NATIONAL.headers, format_rows([evil], NATIONAL)))
    (result,) = list(read_households(io.BytesIO(data)))
    assert [e.loc for e in result.errors] == [("row", 2, "姓名")]
