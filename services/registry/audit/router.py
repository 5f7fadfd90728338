"""The audit log, for auditors (审计, 纪检) and the district office; nobody else.

Paging is by entry id, oldest first. It is for reading a record's history, not for
tailing: an entry written by a transaction that commits late can land behind a cursor
already handed out. The change feed is the lossless tail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.registry.areas.router import page_example
from services.registry.audit import service
from services.registry.audit.schemas import AUDIT_EXAMPLE, AuditEntryRead
from shared.auth import Principal, Role, require_roles
from shared.db import DbReadSession
from shared.errors import FieldError, InvalidInput
from shared.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1", tags=["audit"])

AuditReader = Annotated[Principal, Depends(require_roles(Role.auditor, Role.district_admin))]


def _after_id(cursor: str | None) -> int | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    if len(position) == 1 and type(position[0]) is int and 0 <= position[0] < 2**63:
        return position[0]
    raise InvalidInput(
        "the cursor is not one this service issued",
        errors=[FieldError(("query", "cursor"), "malformed cursor")],
    )


@router.get(
    "/audit",
    response_model=Page[AuditEntryRead],
    summary="Audit log entries, oldest first (auditor, district admin)",
    responses={
        **page_example(AUDIT_EXAMPLE, "WzE4MzQ1XQ=="),
        403: {"description": "Any other role"},
    },
)
async def read_audit(
    session: DbReadSession,
    principal: AuditReader,
    entity: Annotated[str | None, Query(max_length=64, examples=["village"])] = None,
    entity_id: Annotated[str | None, Query(max_length=64, examples=["370404104001"])] = None,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    since: Annotated[datetime | None, Query(description="Entries at or after this time")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    entries = await service.read_entries(
        session,
        principal,
        entity=entity,
        entity_id=entity_id,
        actor=actor,
        since=since,
        after=_after_id(cursor),
        limit=limit + 1,
    )
    more = len(entries) > limit
    entries = entries[:limit]
    return Page[AuditEntryRead](
        items=[AuditEntryRead.model_validate(e) for e in entries],
        next_cursor=encode_cursor(entries[-1].id) if more else None,
    )
