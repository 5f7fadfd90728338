"""The change feed, for mobile sync and the provincial exchange.

Every role but finance may read it, each inside its area: a village cadre's phone gets its
village's changes, a town officer's client the town's, district roles everything. Finance
is left out because household payloads carry details it may not see (DESIGN.md: no health
details). `shared.changes` explains why the feed never skips a late-committing write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.registry.changes.schemas import ChangePage, ChangeRead
from shared import changes
from shared.auth import Principal, Role, require_roles
from shared.db import DbReadSession

router = APIRouter(prefix="/v1", tags=["changes"])

FeedReader = Annotated[
    Principal, Depends(require_roles(*(r for r in Role if r is not Role.finance_officer)))
]


@router.get(
    "/changes",
    response_model=ChangePage,
    summary="Every change after a cursor, in order, inside the caller's area",
    responses={403: {"description": "finance_officer"}},
)
async def read_changes(
    session: DbReadSession,
    principal: FeedReader,
    after: Annotated[
        str | None, Query(description="`next_cursor` of the previous poll; absent: from the start")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    batch = await changes.read(session, after=after, area_prefix=principal.area_code, limit=limit)
    return ChangePage(
        items=[ChangeRead.model_validate(c) for c in batch.changes], next_cursor=batch.next_cursor
    )
