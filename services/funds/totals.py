"""Net amounts, SQL side: what was moved and not reversed.

Reversals are always of a whole transaction, so a movement counts exactly when its
transaction has no reversal. Every figure here is an aggregate in the database, never a
loop over rows in Python.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, aliased

from services.funds.allocations.models import Allocation
from services.funds.disbursements.models import Disbursement
from services.funds.ledger.models import LedgerTxn


def standing(txn_id: sa.ColumnElement[Any] | QueryableAttribute[Any]) -> sa.ColumnElement[bool]:
    """True for a movement whose transaction has not been reversed."""
    reversal = aliased(LedgerTxn)
    return ~sa.exists().where(reversal.reverses_id == txn_id)


def net_allocations() -> sa.Subquery:
    """Allocations that stand: id, source, project, amount."""
    return (
        sa.select(Allocation.id, Allocation.source_id, Allocation.project_id, Allocation.amount_fen)
        .where(standing(Allocation.txn_id))
        .subquery("standing_allocation")
    )


def net_disbursements() -> sa.Subquery:
    """Disbursements that stand, with the source of the allocation they drew on."""
    return (
        sa.select(
            Disbursement.id,
            Disbursement.allocation_id,
            Disbursement.project_id,
            Disbursement.amount_fen,
            Disbursement.payee_kind,
            Disbursement.household_id,
            Disbursement.village_code,
            Allocation.source_id,
        )
        .join(Allocation, Allocation.id == Disbursement.allocation_id)
        .where(standing(Disbursement.txn_id))
        .subquery("standing_disbursement")
    )


async def pairs(session: AsyncSession, query: sa.Select[Any, Any]) -> dict[Any, Any]:
    """The rows of a two-column query as a mapping of the first column to the second."""
    return {key: value for key, value in await session.execute(query)}


@dataclass(frozen=True, slots=True)
class Moved:
    allocated: int = 0
    disbursed: int = 0
    households_paid: int = 0


async def moved_by(
    session: AsyncSession, key: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Moved]:
    """Net allocated and disbursed per source (`key="source_id"`) or project."""
    wanted = list(ids)
    if not wanted:
        return {}
    alloc, disb = net_allocations(), net_disbursements()
    allocated = await pairs(
        session,
        sa.select(alloc.c[key], sa.func.sum(alloc.c.amount_fen))
        .where(alloc.c[key].in_(wanted))
        .group_by(alloc.c[key]),
    )
    paid = {
        row[0]: (int(row[1]), int(row[2]))
        for row in await session.execute(
            sa.select(
                disb.c[key],
                sa.func.sum(disb.c.amount_fen),
                sa.func.count(sa.distinct(disb.c.household_id)),
            )
            .where(disb.c[key].in_(wanted))
            .group_by(disb.c[key])
        )
    }
    return {i: Moved(int(allocated.get(i) or 0), *paid.get(i, (0, 0))) for i in wanted}
