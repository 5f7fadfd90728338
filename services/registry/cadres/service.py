"""Assistance cadres (帮扶责任人) and their dated pairings with households (结对帮扶).

A cadre belongs to the town they work in: district roles see every cadre, a town officer
and the village cadres of a town see that town's cadres. A pairing lives where its
household lives, so it is scoped through the household's village and town.

Writes to a cadre or its pairings lock the cadre row first: overlapping pairings of the
same cadre and household cannot slip in side by side, and the change feed delivers the
cadre's payloads in the order they were written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.registry.areas.models import Town
from services.registry.areas.reading import row_version, visible_towns
from services.registry.cadres.models import AssistanceCadre, CadrePairing
from services.registry.cadres.schemas import (
    CadreCreate,
    CadreRead,
    CadreUpdate,
    HouseholdCadreRead,
    PairingCreate,
    PairingEnd,
    PairingRead,
)
from services.registry.households.models import Household
from shared import audit, changes
from shared.auth import AreaLevel, Principal
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.etag import etag_of
from shared.scoping import area_clause

_CADRE_VERSION = row_version("assistance_cadre")
_FACTS = ("name", "organisation", "phone", "town_code")


def visible_cadres(principal: Principal) -> ColumnElement[bool]:
    if principal.level is AreaLevel.district:
        return AssistanceCadre.town_code.startswith(principal.area_code)
    return AssistanceCadre.town_code == principal.area_code[:9]


def visible_households(principal: Principal) -> ColumnElement[bool]:
    return area_clause(
        principal, village=Household.village_code.expression, town=Household.town_code.expression
    )


def _active() -> ColumnElement[bool]:
    return sa.or_(CadrePairing.end_date.is_(None), CadrePairing.end_date >= sa.func.current_date())


async def list_cadres(
    session: AsyncSession,
    principal: Principal,
    *,
    town_code: str | None,
    after: tuple[str, str, uuid.UUID] | None,
    limit: int,
) -> list[CadreRead]:
    order = (AssistanceCadre.town_code, AssistanceCadre.name, AssistanceCadre.id)
    query = (
        sa.select(AssistanceCadre, _CADRE_VERSION)
        .where(visible_cadres(principal))
        .order_by(*order)
        .limit(limit)
    )
    if town_code is not None:
        query = query.where(AssistanceCadre.town_code == town_code)
    if after is not None:
        query = query.where(sa.tuple_(*order) > sa.tuple_(*after))
    return [_cadre_read(c, v) for c, v in (await session.execute(query)).all()]


async def get_cadre(session: AsyncSession, principal: Principal, cadre_id: uuid.UUID) -> CadreRead:
    row = (
        await session.execute(
            sa.select(AssistanceCadre, _CADRE_VERSION).where(
                AssistanceCadre.id == cadre_id, visible_cadres(principal)
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound("no such cadre")
    return _cadre_read(*row)


async def create_cadre(session: AsyncSession, principal: Principal, data: CadreCreate) -> CadreRead:
    await _check_town(session, principal, data.town_code)
    cadre = AssistanceCadre(**data.model_dump())
    session.add(cadre)
    await session.flush()
    return await _publish_cadre(session, principal, "cadre.create", cadre, before=None)


async def update_cadre(
    session: AsyncSession,
    principal: Principal,
    cadre_id: uuid.UUID,
    data: CadreUpdate,
    precondition: Callable[[int], None],
) -> CadreRead:
    cadre, version = await _lock_cadre(session, principal, cadre_id)
    precondition(version)
    fields = data.model_dump(exclude_unset=True)
    for required in ("name", "organisation", "town_code"):
        if required in fields and fields[required] is None:
            raise InvalidInput(
                f"{required} cannot be removed",
                errors=[FieldError(("body", required), "may not be null")],
            )
    if fields.get("town_code", cadre.town_code) != cadre.town_code:
        await _check_town(session, principal, fields["town_code"])
    before = _facts(cadre)
    for name, value in fields.items():
        setattr(cadre, name, value)
    if _facts(cadre) == before:
        return _cadre_read(cadre, version)
    await session.flush()
    return await _publish_cadre(session, principal, "cadre.update", cadre, before=before)


async def delete_cadre(session: AsyncSession, principal: Principal, cadre_id: uuid.UUID) -> None:
    cadre, _ = await _lock_cadre(session, principal, cadre_id)
    paired = await session.scalar(
        sa.select(CadrePairing.id).where(CadrePairing.cadre_id == cadre.id).limit(1)
    )
    if paired is not None:
        # Pairings are the history of who helped whom; end them instead of erasing them.
        raise Conflict("the cadre has pairings; end them instead of deleting the cadre")
    before = _facts(cadre)
    await session.delete(cadre)
    await session.flush()
    await audit.record(
        session, principal, "cadre.delete", "cadre", cadre_id,
        area_code=cadre.town_code, before=before,
    )  # fmt: skip
    await changes.append(session, "cadre", cadre_id, "remove", cadre.town_code)


async def add_pairing(
    session: AsyncSession, principal: Principal, cadre_id: uuid.UUID, data: PairingCreate
) -> HouseholdCadreRead:
    cadre, version = await _lock_cadre(session, principal, cadre_id)
    household = await session.scalar(
        sa.select(Household).where(Household.id == data.household_id, visible_households(principal))
    )
    if household is None:
        raise InvalidInput(
            "no such household",
            errors=[FieldError(("body", "household_id"), "no household with this id")],
        )
    # Two periods overlap when each starts before the other ends (open = never ends).
    overlapping = await session.scalar(
        sa.select(CadrePairing.id).where(
            CadrePairing.cadre_id == cadre.id,
            CadrePairing.household_id == household.id,
            CadrePairing.start_date <= (data.end_date or date.max),
            sa.func.coalesce(CadrePairing.end_date, date.max) >= data.start_date,
        )
    )
    if overlapping is not None:
        raise Conflict("the cadre is already paired with this household in that period")
    pairing = CadrePairing(cadre_id=cadre.id, **data.model_dump())
    session.add(pairing)
    await session.flush()
    read = _pairing_read(pairing, household.village_code, _cadre_read(cadre, version))
    await _publish_pairing(session, principal, "cadre_pairing.create", read, before=None)
    return read


async def end_pairing(
    session: AsyncSession,
    principal: Principal,
    cadre_id: uuid.UUID,
    pairing_id: uuid.UUID,
    data: PairingEnd,
) -> HouseholdCadreRead:
    cadre, version = await _lock_cadre(session, principal, cadre_id)
    row = (
        await session.execute(
            sa.select(CadrePairing, Household.village_code)
            .join(Household, Household.id == CadrePairing.household_id)
            .where(
                CadrePairing.id == pairing_id,
                CadrePairing.cadre_id == cadre.id,
                visible_households(principal),
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound("no such pairing")
    pairing, village_code = row
    if pairing.end_date is not None:
        raise Conflict(f"the pairing already ended on {pairing.end_date.isoformat()}")
    if data.end_date < pairing.start_date:
        raise InvalidInput(
            "a pairing cannot end before it starts",
            errors=[FieldError(("body", "end_date"), f"before {pairing.start_date.isoformat()}")],
        )
    before = {"end_date": None}
    pairing.end_date = data.end_date
    await session.flush()
    read = _pairing_read(pairing, village_code, _cadre_read(cadre, version))
    await _publish_pairing(session, principal, "cadre_pairing.end", read, before=before)
    return read


async def cadre_pairings(
    session: AsyncSession, principal: Principal, cadre_id: uuid.UUID, *, active: bool | None
) -> list[PairingRead]:
    await get_cadre(session, principal, cadre_id)  # 404 outside the area
    query = (
        sa.select(CadrePairing, Household.village_code)
        .join(Household, Household.id == CadrePairing.household_id)
        .where(CadrePairing.cadre_id == cadre_id, visible_households(principal))
        .order_by(CadrePairing.start_date, CadrePairing.id)
    )
    if active is not None:
        query = query.where(_active() if active else ~_active())
    return [
        PairingRead.model_validate({**_pairing_facts(p), "village_code": code})
        for p, code in (await session.execute(query)).all()
    ]


async def household_cadres(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, *, active: bool | None
) -> list[HouseholdCadreRead]:
    village_code = await session.scalar(
        sa.select(Household.village_code).where(
            Household.id == household_id, visible_households(principal)
        )
    )
    if village_code is None:
        raise NotFound("no such household")
    # The cadre is shown even when registered in another town: they help this household.
    query = (
        sa.select(CadrePairing, AssistanceCadre, _CADRE_VERSION)
        .join(AssistanceCadre, AssistanceCadre.id == CadrePairing.cadre_id)
        .where(CadrePairing.household_id == household_id)
        .order_by(CadrePairing.start_date, CadrePairing.id)
    )
    if active is not None:
        query = query.where(_active() if active else ~_active())
    return [
        _pairing_read(p, village_code, _cadre_read(c, v))
        for p, c, v in (await session.execute(query)).all()
    ]


# --- helpers -------------------------------------------------------------------------


async def _lock_cadre(
    session: AsyncSession, principal: Principal, cadre_id: uuid.UUID
) -> tuple[AssistanceCadre, int]:
    row = (
        await session.execute(
            sa.select(AssistanceCadre, _CADRE_VERSION)
            .where(AssistanceCadre.id == cadre_id, visible_cadres(principal))
            .with_for_update(key_share=True)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("no such cadre")
    return row[0], row[1]


async def _check_town(session: AsyncSession, principal: Principal, town_code: str) -> None:
    found = await session.scalar(
        sa.select(Town.code).where(Town.code == town_code, visible_towns(principal))
    )
    if found is None:
        raise InvalidInput(
            f"town {town_code} does not exist",
            errors=[FieldError(("body", "town_code"), "no such town")],
        )


async def _publish_cadre(
    session: AsyncSession,
    principal: Principal,
    action: str,
    cadre: AssistanceCadre,
    *,
    before: dict[str, Any] | None,
) -> CadreRead:
    version = await session.scalar(
        sa.select(_CADRE_VERSION).select_from(AssistanceCadre).where(AssistanceCadre.id == cadre.id)
    )
    assert version is not None
    read = _cadre_read(cadre, version)
    payload = read.model_dump(mode="json")
    await audit.record(
        session, principal, action, "cadre", cadre.id,
        area_code=cadre.town_code, before=before, after=_facts(cadre),
    )  # fmt: skip
    # Village clients never see town-level rows, so the villages of the cadre's
    # households get the new contact details too.
    villages = await session.scalars(
        sa.select(Household.village_code)
        .join(CadrePairing, CadrePairing.household_id == Household.id)
        .where(CadrePairing.cadre_id == cadre.id)
        .distinct()
    )
    for area in [cadre.town_code, *villages]:
        await changes.append(session, "cadre", cadre.id, "upsert", area, payload=payload)
    return read


async def _publish_pairing(
    session: AsyncSession,
    principal: Principal,
    action: str,
    read: HouseholdCadreRead,
    *,
    before: dict[str, Any] | None,
) -> None:
    payload = read.model_dump(mode="json")
    # Filed under the household: an auditor asks "who touched this household".
    await audit.record(
        session, principal, action, "household", read.household_id,
        area_code=read.village_code, before=before,
        after={k: v for k, v in payload.items() if k != "cadre"},
    )  # fmt: skip
    await changes.append(
        session, "cadre_pairing", read.id, "upsert", read.village_code, payload=payload
    )


def _facts(cadre: AssistanceCadre) -> dict[str, Any]:
    return {name: getattr(cadre, name) for name in _FACTS}


def _cadre_read(cadre: AssistanceCadre, version: int) -> CadreRead:
    return CadreRead(id=cadre.id, etag=etag_of(version), **_facts(cadre))


def _pairing_facts(pairing: CadrePairing) -> dict[str, Any]:
    return {
        "id": pairing.id,
        "cadre_id": pairing.cadre_id,
        "household_id": pairing.household_id,
        "start_date": pairing.start_date,
        "end_date": pairing.end_date,
    }


def _pairing_read(pairing: CadrePairing, village_code: str, cadre: CadreRead) -> HouseholdCadreRead:
    return HouseholdCadreRead(**_pairing_facts(pairing), village_code=village_code, cadre=cadre)
