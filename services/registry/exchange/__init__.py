"""Bulk exchange with the provincial system: the flat file 贫困人口明细 and our fuller
layout, read and written as CSV or XLSX without holding a whole file in memory.

- `layouts`: the two layouts' columns, header detection, formatting households to rows.
- `parsing`: rows to households, every bad cell an error at its row and column.
- `formats`: streaming CSV/XLSX readers and writers.
- `records`: the typed household and member both directions share.
"""

from services.registry.exchange.formats import (
    FileFormat,
    Table,
    iter_csv,
    open_table,
    read_households,
    write_csv,
    write_xlsx,
)
from services.registry.exchange.layouts import (
    FULL,
    LAYOUTS,
    NATIONAL,
    Column,
    Layout,
    detect_layout,
    format_household,
    format_rows,
)
from services.registry.exchange.parsing import ParsedHousehold, group_rows, parse_households
from services.registry.exchange.records import ExchangeHousehold, ExchangeMember

__all__ = [
    "FULL",
    "LAYOUTS",
    "NATIONAL",
    "Column",
    "ExchangeHousehold",
    "ExchangeMember",
    "FileFormat",
    "Layout",
    "ParsedHousehold",
    "Table",
    "detect_layout",
    "format_household",
    "format_rows",
    "group_rows",
    "iter_csv",
    "open_table",
    "parse_households",
    "read_households",
    "write_csv",
    "write_xlsx",
]
