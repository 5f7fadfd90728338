"""The change feed: append in the writing transaction, read without ever skipping a row.

A sequence number alone loses rows: transaction A takes id 10, B takes id 11 and commits,
a reader sees 11 and moves its cursor past 10 before A commits. Here each row carries its
transaction id, readers order by (txid, id), and only rows from transactions older than
the oldest one still running (`pg_snapshot_xmin`) are served. Anything committed later has
a larger txid than every row already served, so it lands after the reader's cursor. A
long transaction delays the feed; it never makes it lose a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError, InvalidInput
from shared.models import Change
from shared.pagination import decode_cursor, encode_cursor

_VILLAGE_CODE_LENGTH = 12


async def append(
    session: AsyncSession,
    entity: str,
    entity_id: object,
    op: str,
    area_code: str,
    payload: dict[str, Any] | None = None,
) -> None:
    session.add(
        Change(entity=entity, entity_id=str(entity_id), op=op, area_code=area_code, payload=payload)
    )


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    changes: list[Change]
    next_cursor: str


_VISIBLE_HORIZON = sa.text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


async def read(
    session: AsyncSession, *, after: str | None, area_prefix: str, limit: int
) -> ChangeBatch:
    """Changes after the cursor inside `area_prefix`, oldest first.

    The returned cursor always advances to the last row served, or stays put when there
    is nothing new, so a client can poll with it forever.
    """
    txid, change_id = _position(after)
    query = (
        sa.select(Change)
        .where(
            sa.tuple_(Change.txid, Change.id) > sa.tuple_(sa.literal(txid), sa.literal(change_id)),
            Change.txid < _VISIBLE_HORIZON,
        )
        .order_by(Change.txid, Change.id)
        .limit(limit)
    )
    if len(area_prefix) == _VILLAGE_CODE_LENGTH:
        # Nothing lies inside a village: equality walks the (area_code, txid, id) index
        # instead of filtering the whole district's feed.
        query = query.where(Change.area_code == area_prefix)
    elif area_prefix:
        query = query.where(Change.area_code.startswith(area_prefix, autoescape=True))
    rows = list((await session.scalars(query)).all())
    if rows:
        txid, change_id = rows[-1].txid, rows[-1].id
    return ChangeBatch(rows, encode_cursor(txid, change_id))


def _position(after: str | None) -> tuple[int, int]:
    """The (txid, id) a cursor names; a cursor we did not issue is bad input, not a 500."""
    position = decode_cursor(after)
    if position is None:
        return 0, 0
    # bigint columns: a larger number would fail in the driver instead of here.
    if len(position) == 2 and all(type(p) is int and 0 <= p < 2**63 for p in position):
        return position[0], position[1]
    raise InvalidInput(
        "the cursor is not one this feed issued",
        errors=[FieldError(("query", "after"), "malformed cursor")],
    )
