"""一卡通 cards: registered by the finance office for a registry household, shown masked."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.clients import RegistryClient
from services.funds.errors import NoCard, PayeeRefused
from services.funds.payees.models import HouseholdCard
from services.funds.payees.schemas import CardCreate
from services.funds.roles import ensure_covers
from shared import audit
from shared.auth import Principal
from shared.errors import FieldError, NotFound
from shared.idcard import IdCipher


def mask(card_number: str) -> str:
    return card_number[:4] + "*" * (len(card_number) - 8) + card_number[-4:]


def unknown_household(household_id: uuid.UUID, loc: tuple[str | int, ...]) -> PayeeRefused:
    return PayeeRefused(
        f"household {household_id} does not exist in the registry or is outside your area",
        errors=[FieldError(loc, "no such household in your area")],
    )


async def register_card(
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    data: CardCreate,
    *,
    registry: RegistryClient,
    token: str,
    cipher: IdCipher,
) -> HouseholdCard:
    household = await registry.household(household_id, token=token)
    if household is None:
        raise unknown_household(household_id, ("path", "household_id"))
    card_id = uuid.uuid4()
    card = HouseholdCard(
        id=card_id,
        household_id=household_id,
        town_code=household.town_code,
        village_code=household.village_code,
        bank=data.bank,
        card_cipher=cipher.encrypt(data.card_number, bound_to=str(card_id)),
        card_masked=mask(data.card_number),
        registered_on=data.registered_on,
        created_by=actor.subject,
    )
    session.add(card)
    await session.flush()
    await audit.record(
        session,
        actor,
        "household_card.register",
        "household_card",
        card.id,
        area_code=household.village_code,
        after={"household_id": str(household_id), "bank": data.bank, "card": card.card_masked},
    )
    return card


async def current_card(session: AsyncSession, household_id: uuid.UUID) -> HouseholdCard | None:
    """The newest registration wins; earlier cards stay on the payments that used them."""
    return await session.scalar(
        sa.select(HouseholdCard)
        .where(HouseholdCard.household_id == household_id)
        .order_by(HouseholdCard.seq.desc())
        .limit(1)
    )


async def require_card(session: AsyncSession, household_id: uuid.UUID) -> HouseholdCard:
    card = await current_card(session, household_id)
    if card is None:
        raise NoCard(
            f"household {household_id} has no 一卡通 account on file; subsidies are paid into "
            "it, never in cash: register the card first",
            errors=[FieldError(("body", "payee", "household_id"), "no 一卡通 account")],
        )
    return card


async def card_for_reader(
    session: AsyncSession, actor: Principal, household_id: uuid.UUID
) -> HouseholdCard:
    card = await current_card(session, household_id)
    if card is None:
        raise NotFound(f"household {household_id} has no 一卡通 account on file")
    ensure_covers(actor, card.town_code, card.village_code, "household card")
    return card
