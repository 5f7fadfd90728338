"""Reading the ledger (district finance, administrators, auditors) and reversing a movement."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query

from services.funds.allocations.schemas import ReversalCreate
from services.funds.ledger import service
from services.funds.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTxn,
    Side,
    TxnKind,
)
from services.funds.ledger.schemas import AccountRead, EntryRead, TrialBalance, TxnRead
from services.funds.roles import Finance, LedgerReader
from shared.auth import AreaLevel, Principal
from shared.db import DbSession
from shared.errors import Forbidden, NotFound
from shared.idempotency import IdempotentRoute
from shared.pagination import Limit

router = APIRouter(prefix="/v1/ledger", tags=["ledger"], route_class=IdempotentRoute)


def _district(principal: Principal) -> None:
    # Ledger accounts are not tied to an area: only district-level accounts see them whole.
    if principal.level is not AreaLevel.district:
        raise Forbidden("the ledger is read and corrected at district level")


async def _txn_read(session: DbSession, txn: LedgerTxn) -> TxnRead:
    rows = await session.execute(
        sa.select(LedgerEntry, LedgerAccount.code)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerEntry.txn_id == txn.id)
        .order_by(LedgerEntry.id)
    )
    return TxnRead(
        id=txn.id,
        kind=TxnKind(txn.kind),
        occurred_on=txn.occurred_on,
        memo=txn.memo,
        actor=txn.actor,
        actor_role=txn.actor_role,
        reverses_id=txn.reverses_id,
        reversed_by=await service.reversal_of(session, txn.id),
        created_at=txn.created_at,
        entries=[_entry(e, code) for e, code in rows],
    )


def _entry(e: LedgerEntry, code: str) -> EntryRead:
    return EntryRead(
        id=e.id,
        txn_id=e.txn_id,
        account_id=e.account_id,
        account_code=code,
        side=Side(e.side),
        amount=e.amount_fen,
        account_seq=e.account_seq,
        balance_after=e.balance_after,
    )


@router.get(
    "/transactions/{txn_id}", response_model=TxnRead, summary="A transaction and its entries"
)
async def get_txn(txn_id: int, session: DbSession, actor: LedgerReader) -> Any:
    _district(actor)
    txn = await session.get(LedgerTxn, txn_id)
    if txn is None:
        raise NotFound(f"no ledger transaction {txn_id}")
    return await _txn_read(session, txn)


@router.get("/transactions", response_model=list[TxnRead], summary="Transactions, newest first")
async def list_txns(
    session: DbSession,
    actor: LedgerReader,
    kind: TxnKind | None = None,
    before: Annotated[int | None, Query(description="id of the last transaction seen")] = None,
    limit: Limit = 50,
) -> Any:
    _district(actor)
    query = sa.select(LedgerTxn).order_by(LedgerTxn.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(LedgerTxn.kind == kind.value)
    if before is not None:
        query = query.where(LedgerTxn.id < before)
    return [await _txn_read(session, t) for t in (await session.scalars(query)).all()]


@router.get("/accounts/{account_id}", response_model=AccountRead, summary="An account's balance")
async def get_account(account_id: int, session: DbSession, actor: LedgerReader) -> Any:
    _district(actor)
    account = await session.get(LedgerAccount, account_id)
    if account is None:
        raise NotFound(f"no ledger account {account_id}")
    count = await session.scalar(
        sa.select(sa.func.count()).where(LedgerEntry.account_id == account_id)
    )
    return AccountRead(
        id=account.id,
        code=account.code,
        kind=AccountKind(account.kind),
        normal_side=Side(account.normal_side),
        balance=await service.balance_of(session, account_id),
        entries=int(count or 0),
    )


@router.get(
    "/accounts/{account_id}/entries",
    response_model=list[EntryRead],
    summary="An account's entries in order, each with the running balance after it",
)
async def account_entries(
    account_id: int,
    session: DbSession,
    actor: LedgerReader,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Limit = 100,
) -> Any:
    _district(actor)
    rows = await session.execute(
        sa.select(LedgerEntry, LedgerAccount.code)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerEntry.account_id == account_id, LedgerEntry.account_seq > after_seq)
        .order_by(LedgerEntry.account_seq)
        .limit(limit)
    )
    return [_entry(e, code) for e, code in rows]


@router.get("/trial-balance", response_model=TrialBalance, summary="The books balance")
async def trial_balance(session: DbSession, actor: LedgerReader) -> Any:
    _district(actor)
    return await service.trial_balance(session)


@router.post(
    "/transactions/{txn_id}/reversal",
    response_model=TxnRead,
    status_code=201,
    summary="Reverse any movement with its mirror-image entries (district finance officer)",
    responses={409: {"description": "Already reversed, a reversal, or a balance would go below 0"}},
)
async def reverse(txn_id: int, data: ReversalCreate, session: DbSession, actor: Finance) -> Any:
    _district(actor)
    txn = await service.reverse(
        session, actor, txn_id, occurred_on=data.reversed_on, reason=data.reason
    )
    return await _txn_read(session, txn)
