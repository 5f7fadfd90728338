"""Fund sources: registering an appropriation posts it to the ledger in the same step."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.codes import FundKind, FundLevel
from services.funds.ledger import service as ledger
from services.funds.ledger.models import AccountKind, LedgerTxn, Side, TxnKind
from services.funds.money import format_fen
from services.funds.sources.models import FundSource
from services.funds.sources.schemas import SourceCreate, SourceRead
from services.funds.totals import moved_by
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, NotFound


async def create_source(session: AsyncSession, actor: Principal, data: SourceCreate) -> FundSource:
    duplicate = await session.scalar(
        sa.select(FundSource.id).where(
            FundSource.document_number == data.document_number,
            FundSource.level == data.level.value,
            FundSource.kind == data.kind.value,
        )
    )
    if duplicate is not None:
        raise Conflict(
            f"document {data.document_number} is already registered as source {duplicate}",
            extra={"source_id": str(duplicate)},
        )
    source_id = uuid.uuid4()
    funding = await ledger.open_account(session, AccountKind.funding, data.level.value)
    account = await ledger.open_account(session, AccountKind.source, str(source_id))
    txn = await ledger.post(
        session,
        actor,
        kind=TxnKind.funding,
        occurred_on=data.received_on,
        memo=f"{data.name} {data.document_number}",
        lines=[
            ledger.Line(account, Side.debit, data.amount),
            ledger.Line(funding, Side.credit, data.amount),
        ],
    )
    source = FundSource(
        id=source_id,
        year=data.year,
        level=data.level.value,
        kind=data.kind.value,
        name=data.name,
        document_number=data.document_number,
        amount_fen=data.amount,
        exempt_fen=data.exempt_amount,
        received_on=data.received_on,
        account_id=account,
        funding_txn_id=txn.id,
        created_by=actor.subject,
    )
    session.add(source)
    await session.flush()
    await audit.record(
        session,
        actor,
        "fund_source.create",
        "fund_source",
        source.id,
        area_code=actor.area_code,
        after={
            "year": data.year,
            "level": data.level.value,
            "kind": data.kind.value,
            "document_number": data.document_number,
            "amount": format_fen(data.amount),
            "funding_txn_id": txn.id,
        },
    )
    return source


async def get_source(session: AsyncSession, source_id: uuid.UUID) -> FundSource:
    source = await session.get(FundSource, source_id)
    if source is None:
        raise NotFound("no such fund source")
    return source


async def list_sources(
    session: AsyncSession,
    *,
    year: int | None,
    level: FundLevel | None,
    kind: FundKind | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[FundSource]:
    query = sa.select(FundSource).order_by(FundSource.created_at, FundSource.id).limit(limit)
    if year is not None:
        query = query.where(FundSource.year == year)
    if level is not None:
        query = query.where(FundSource.level == level.value)
    if kind is not None:
        query = query.where(FundSource.kind == kind.value)
    if after is not None:
        query = query.where(sa.tuple_(FundSource.created_at, FundSource.id) > sa.tuple_(*after))
    return list((await session.scalars(query)).all())


async def read_sources(session: AsyncSession, sources: Sequence[FundSource]) -> list[SourceRead]:
    moved = await moved_by(session, "source_id", [s.id for s in sources])
    balances = await ledger.balances(session, [s.account_id for s in sources])
    withdrawn = {
        txn
        for txn in (
            await session.scalars(
                sa.select(LedgerTxn.reverses_id).where(
                    LedgerTxn.reverses_id.in_([s.funding_txn_id for s in sources])
                )
            )
        ).all()
        if txn is not None
    }
    return [
        SourceRead(
            id=s.id,
            year=s.year,
            level=FundLevel(s.level),
            kind=FundKind(s.kind),
            name=s.name,
            document_number=s.document_number,
            amount=s.amount_fen,
            exempt_amount=s.exempt_fen,
            received_on=s.received_on,
            withdrawn=s.funding_txn_id in withdrawn,
            allocated=moved[s.id].allocated,
            available=balances[s.account_id].balance,
            disbursed=moved[s.id].disbursed,
            account_id=s.account_id,
            funding_txn_id=s.funding_txn_id,
            created_by=s.created_by,
            created_at=s.created_at,
        )
        for s in sources
    ]
