"""Fund sources: the finance office registers them; district roles and auditors read them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.funds.codes import FundKind, FundLevel
from services.funds.roles import Finance, StatsReader
from services.funds.sources import service
from services.funds.sources.schemas import SourceCreate, SourceRead
from services.funds.validation import next_timestamp_cursor, timestamp_cursor
from shared.db import DbSession
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["sources"], route_class=IdempotentRoute)


@router.post(
    "/sources",
    response_model=SourceRead,
    status_code=201,
    summary="Register a fund source and post its appropriation (finance officer)",
    responses={409: {"description": "The document is already registered"}},
)
async def create_source(data: SourceCreate, session: DbSession, actor: Finance) -> Any:
    source = await service.create_source(session, actor, data)
    return (await service.read_sources(session, [source]))[0]


@router.get("/sources", response_model=Page[SourceRead], summary="List fund sources")
async def list_sources(
    session: DbSession,
    _: StatsReader,
    year: int | None = None,
    level: FundLevel | None = None,
    kind: FundKind | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    sources = await service.list_sources(
        session, year=year, level=level, kind=kind, after=timestamp_cursor(cursor), limit=limit
    )
    return Page[SourceRead](
        items=await service.read_sources(session, sources),
        next_cursor=next_timestamp_cursor(sources, limit),
    )


@router.get(
    "/sources/{source_id}",
    response_model=SourceRead,
    summary="A fund source with what was allocated, is left and was paid out",
    responses={404: {"description": "No such source"}},
)
async def get_source(source_id: uuid.UUID, session: DbSession, _: StatsReader) -> Any:
    source = await service.get_source(session, source_id)
    return (await service.read_sources(session, [source]))[0]
