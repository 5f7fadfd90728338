"""The audit log as an auditor reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

AUDIT_EXAMPLE: JsonDict = {
    "id": 18345,
    "at": "2018-06-30T09:12:44.118000+08:00",
    "actor": "zhang.town",
    "actor_role": "town_officer",
    "action": "village.update",
    "entity": "village",
    "entity_id": "370404104001",
    "area_code": "370404104001",
    "request_id": "7f3c1d0e9a2b4c5d8e6f7a8b9c0d1e2f",
    "before": {"name": "马楼村"},
    "after": {"name": "马楼新村"},
}


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [AUDIT_EXAMPLE]},
    )

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
