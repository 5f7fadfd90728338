"""Cursors of this service's lists: the last row's key, opaque to clients."""

from __future__ import annotations

import uuid

from shared.errors import FieldError, InvalidInput
from shared.pagination import decode_cursor


def _bad() -> InvalidInput:
    return InvalidInput(
        "the cursor is not one this service issued",
        errors=[FieldError(("query", "cursor"), "malformed cursor")],
    )


def after_uuid(cursor: str | None) -> uuid.UUID | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        if len(position) != 1:
            raise ValueError
        return uuid.UUID(str(position[0]))
    except ValueError:
        raise _bad() from None


def after_text(cursor: str | None) -> str | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    if len(position) != 1 or not isinstance(position[0], str):
        raise _bad()
    return position[0]
