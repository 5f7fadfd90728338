"""Reading the audit log: oldest first, filtered, inside the reader's area."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import AreaLevel, Principal
from shared.models import AuditEntry


async def read_entries(
    session: AsyncSession,
    principal: Principal,
    *,
    entity: str | None,
    entity_id: str | None,
    actor: str | None,
    since: datetime | None,
    after: int | None,
    limit: int,
) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id).limit(limit)
    # Both roles that read the log work at district level; a narrower token (should an
    # account be made so) reads only entries of its own area.
    if principal.level is not AreaLevel.district:
        query = query.where(AuditEntry.area_code.startswith(principal.area_code, autoescape=True))
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if after is not None:
        query = query.where(AuditEntry.id > after)
    return list((await session.scalars(query)).all())
