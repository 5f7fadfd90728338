"""What the import and export endpoints answer and take."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LayoutChoice(StrEnum):
    auto = "auto"
    national = "national"
    full = "full"


class ExportLayout(StrEnum):
    national = "national"
    full = "full"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class Counts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class PersonCounts(Counts):
    left: int = Field(default=0, description="current members the file no longer lists (人口减少)")


class RowError(BaseModel):
    """One problem in the file, at a spreadsheet row and a column header."""

    row: int | None
    column: str | None
    message: str
    rule: str = Field(description="the data-quality rule or check that failed")


_REPORT_EXAMPLE: dict[str, Any] = {
    "import_id": "8c1e6a0e-4b55-4d0a-9a51-3f2f4a1c9e77",
    "dry_run": True,
    "committed": False,
    "layout": "national",
    "format": "csv",
    "encoding": "gb18030",
    "data_year": 2018,
    "households": {"created": 9702, "updated": 12, "unchanged": 0},
    "persons": {"created": 16990, "updated": 40, "unchanged": 0, "left": 3},
    "warnings": 1250,
    "errors_total": 2,
    "errors_truncated": False,
    "errors": [
        {
            "row": 418,
            "column": "证件号码",
            "message": "证件号码无效 / invalid ID number: the check character does not match",
            "rule": "value_error",
        },
        {
            "row": 977,
            "column": "主要致贫原因",
            "message": "因病致贫但无患病成员 / cause illness but no chronically or seriously ill member",
            "rule": "household.cause_illness",
        },
    ],
}


class ImportReport(BaseModel):
    """Counts of what the import wrote (or, in a dry run, would write) and every problem
    found, the first `errors` listed at their row and column, `errors_total` counted."""

    model_config = ConfigDict(json_schema_extra={"examples": [_REPORT_EXAMPLE]})

    import_id: uuid.UUID
    dry_run: bool
    committed: bool
    layout: str
    format: str
    encoding: str | None
    data_year: int | None
    households: Counts
    persons: PersonCounts
    warnings: int = Field(description="warnings and flags found (stored on commit)")
    errors_total: int
    errors_truncated: bool
    errors: list[RowError]
