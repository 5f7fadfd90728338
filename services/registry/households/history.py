"""Evidence of every household write: audit entries with before/after snapshots, the
change-feed rows mobile clients and the provincial exchange follow, and the read side of
both (history, stored quality warnings)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households.models import (
    Household,
    HouseholdYear,
    Member,
    MemberYear,
    QualityWarning,
)
from services.registry.households.records import in_area
from shared import audit, changes
from shared.auth import Principal
from shared.db import Base
from shared.models import AuditEntry

ENTITY = "household"
# Never in a snapshot: the ciphertext and hash of the ID number (the masked form is kept),
# nor server-set timestamps (the audit entry has its own).
_LEFT_OUT = frozenset({"id_number_cipher", "id_number_hash", "created_at", "updated_at"})


def _json(value: object) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def snapshot(row: Base) -> dict[str, Any]:
    """The row's column values as JSON, personal identifiers masked."""
    loaded = sa.inspect(row).dict
    return {
        attr.key: _json(loaded[attr.key])
        for attr in sa.inspect(row).mapper.column_attrs
        if attr.key in loaded and attr.key not in _LEFT_OUT
    }


def household_snapshot(
    household: Household,
    record: HouseholdYear | None,
    members: list[tuple[Member, MemberYear | None]],
) -> dict[str, Any]:
    return {
        **snapshot(household),
        "year": snapshot(record) if record is not None else None,
        "members": [
            {**snapshot(m), "year": snapshot(y) if y is not None else None} for m, y in members
        ],
    }


async def record_write(
    session: AsyncSession,
    principal: Principal,
    action: str,
    household: Household,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    moved_from: str | None = None,
) -> None:
    """Audit entry plus change-feed row(s) of a write; call after the flush.

    A household that moved appears in its old village's feed as a removal, so a cadre's
    phone there drops it, and in the new village's feed as an upsert.
    """
    await audit.record(
        session,
        principal,
        action,
        ENTITY,
        household.id,
        area_code=household.village_code,
        before=before,
        after=after,
    )
    # The feed says only that the household changed; readers fetch it with their own token.
    payload = {"version": household.version, "status": household.status}
    if moved_from is not None:
        await changes.append(session, ENTITY, household.id, "remove", moved_from, payload=payload)
    await changes.append(
        session, ENTITY, household.id, "upsert", household.village_code, payload=payload
    )


async def list_history(
    session: AsyncSession, household_id: uuid.UUID, *, after: int | None, limit: int
) -> list[AuditEntry]:
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == str(household_id))
        .order_by(AuditEntry.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(AuditEntry.id > after)
    return list((await session.scalars(query)).all())


async def list_warnings(
    session: AsyncSession,
    principal: Principal,
    *,
    household_id: uuid.UUID | None = None,
    year: int | None = None,
    severity: str | None = None,
    rule: str | None = None,
    village_code: str | None = None,
    after: int | None,
    limit: int,
) -> list[QualityWarning]:
    """Stored warnings and flags inside the caller's area, oldest first."""
    query = (
        sa.select(QualityWarning)
        .join(Household, Household.id == QualityWarning.household_id)
        .where(in_area(principal))
        .order_by(QualityWarning.id)
        .limit(limit)
    )
    conditions: list[sa.ColumnElement[bool]] = []
    if household_id is not None:
        conditions.append(QualityWarning.household_id == household_id)
    if year is not None:
        conditions.append(QualityWarning.year == year)
    if severity is not None:
        conditions.append(QualityWarning.severity == severity)
    if rule is not None:
        conditions.append(QualityWarning.rule == rule)
    if village_code is not None:
        conditions.append(Household.village_code == village_code)
    if after is not None:
        conditions.append(QualityWarning.id > after)
    return list((await session.scalars(query.where(*conditions))).all())
