"""Households' 一卡通 accounts (payee bank details): the finance office keeps them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.funds.deps import CardCipher, Registry
from services.funds.payees import service
from services.funds.payees.schemas import CardCreate, CardRead
from services.funds.roles import CallerToken, CardReader, Finance
from shared.db import DbSession
from shared.idempotency import IdempotentRoute

router = APIRouter(prefix="/v1", tags=["payees"], route_class=IdempotentRoute)


@router.post(
    "/households/{household_id}/card",
    response_model=CardRead,
    status_code=201,
    summary="Register a household's 一卡通 account (finance officer); it replaces the last one",
    responses={422: {"description": "No such household in the registry, in your area"}},
)
async def register_card(
    household_id: uuid.UUID,
    data: CardCreate,
    session: DbSession,
    actor: Finance,
    registry: Registry,
    token: CallerToken,
    cipher: CardCipher,
) -> Any:
    return await service.register_card(
        session, actor, household_id, data, registry=registry, token=token, cipher=cipher
    )


@router.get(
    "/households/{household_id}/card",
    response_model=CardRead,
    summary="A household's current 一卡通 account, masked",
    responses={404: {"description": "No card, or the household is outside your area"}},
)
async def get_card(household_id: uuid.UUID, session: DbSession, actor: CardReader) -> Any:
    return await service.card_for_reader(session, actor, household_id)
