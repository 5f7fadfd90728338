"""The audit log, for auditors: every write of this service, who made it and when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.funds.roles import Auditor
from shared.db import DbSession
from shared.models import AuditEntry
from shared.pagination import Limit

router = APIRouter(prefix="/v1", tags=["audit"])


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    area_code: str | None
    request_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/audit", response_model=list[AuditRead], summary="The audit log (auditor)")
async def audit_log(
    session: DbSession,
    _: Auditor,
    entity: str | None = None,
    entity_id: str | None = None,
    after_id: Annotated[int, Query(ge=0, description="id of the last entry seen")] = 0,
    limit: Limit = 100,
) -> Any:
    query = (
        sa.select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit)
    )
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return (await session.scalars(query)).all()
