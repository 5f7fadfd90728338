"""Cursor pagination: an opaque cursor that encodes the last row's sort key."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.errors import FieldError, InvalidInput

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            "the cursor is not one this service issued",
            errors=[FieldError(("query", "cursor"), "malformed cursor")],
        ) from exc
    if not isinstance(value, list):
        raise InvalidInput(
            "the cursor is not one this service issued",
            errors=[FieldError(("query", "cursor"), "malformed cursor")],
        )
    return value


Limit = Annotated[int, Query(ge=1, le=500, description="Items per page")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
