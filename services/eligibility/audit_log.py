"""The audit log of this service's writes: parameters, exit cases, runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.eligibility.roles import AuditReader
from shared.db import DbSession
from shared.models import AuditEntry
from shared.pagination import Limit

router = APIRouter(prefix="/v1", tags=["audit"])


class AuditRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "at": "2019-11-13T09:30:00Z",
                    "actor": "admin",
                    "actor_role": "district_admin",
                    "action": "parameter.add",
                    "entity": "parameter",
                    "entity_id": "cpi.rural@2018-01-01",
                    "area_code": None,
                    "request_id": "5f0c…",
                    "before": None,
                    "after": {"name": "cpi.rural", "effective": "2018-01-01", "value": "101.5",
                              "source": "山东省统计局", "note": None, "origin": "official"},
                }
            ]
        },
    )  # fmt: skip

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


@router.get(
    "/audit", response_model=list[AuditRead], summary="The audit log (auditor, district office)"
)
async def audit_log(
    session: DbSession,
    _: AuditReader,
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
