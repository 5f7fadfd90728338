"""Small validated types shared by the funds schemas."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from shared.errors import FieldError, InvalidInput
from shared.pagination import decode_cursor, encode_cursor


def _not_future(value: date) -> date:
    if value > date.today():
        raise ValueError("the date is in the future")
    return value


Year = Annotated[int, Field(ge=2010, le=2100, examples=[2018])]
PastDate = Annotated[date, AfterValidator(_not_future)]
TownCode = Annotated[str, Field(pattern=r"^370404\d{3}$", examples=["370404104"])]
VillageCode = Annotated[str, Field(pattern=r"^370404\d{6}$", examples=["370404104001"])]
# 统一社会信用代码: 18 characters, digits and upper-case letters other than I, O, S, V, Z.
CreditCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
        examples=["91370404MA3C2B4K1P"],
    ),
]


def timestamp_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """(created_at, id) from a cursor this service issued; 422 for anything else."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return datetime.fromisoformat(str(position[0])), uuid.UUID(str(position[1]))
    except (ValueError, IndexError) as exc:
        raise InvalidInput(
            "the cursor is not one this service issued",
            errors=[FieldError(("query", "cursor"), "malformed cursor")],
        ) from exc


def next_timestamp_cursor(rows: Sequence[Any], limit: int) -> str | None:
    if len(rows) < limit:
        return None
    return encode_cursor(rows[-1].created_at.isoformat(), str(rows[-1].id))
