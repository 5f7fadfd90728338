"""Every write, and every read of unmasked personal data, leaves an audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.models import AuditEntry
from shared.observability import request_id_var


async def record(
    session: AsyncSession,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: object,
    *,
    area_code: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor=principal.subject,
            actor_role=principal.role.value,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            area_code=area_code,
            request_id=request_id_var.get() or None,
            before=before,
            after=after,
        )
    )
