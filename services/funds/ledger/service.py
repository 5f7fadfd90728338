"""Posting to the ledger: lock the accounts, check every balance, append the entries.

The service checks balances first so a refusal names its reason; the database checks
again (the entry trigger and `balance_not_negative`), so no writer — this service under a
race, a bug, or a person at a SQL prompt — can take an account below zero.

Accounts are locked in id order, so two postings never wait on each other in a cycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.errors import AlreadyReversed, InsufficientFunds, ProcedureViolation
from services.funds.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTxn,
    Side,
    TxnKind,
)
from services.funds.ledger.schemas import KindBalance, TrialBalance
from shared import audit
from shared.auth import Principal
from shared.errors import NotFound
from shared.observability import request_id_var


@dataclass(frozen=True, slots=True)
class Line:
    account_id: int
    side: Side
    amount: int  # fen, > 0


@dataclass(frozen=True, slots=True)
class Balance:
    account_id: int
    code: str
    kind: AccountKind
    balance: int


async def open_account(session: AsyncSession, kind: AccountKind, ref: str) -> int:
    """The account `kind:ref`, created on first use (concurrent first uses are safe)."""
    code = f"{kind.value}:{ref}"
    found = await session.scalar(sa.select(LedgerAccount.id).where(LedgerAccount.code == code))
    if found is not None:
        return int(found)
    created = await session.scalar(
        insert(LedgerAccount)
        .values(code=code, kind=kind.value, normal_side=kind.normal_side.value)
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(LedgerAccount.id)
    )
    if created is not None:
        return int(created)
    existing = await session.scalar(sa.select(LedgerAccount.id).where(LedgerAccount.code == code))
    assert existing is not None
    return int(existing)


_LAST_ENTRY = (
    sa.select(LedgerEntry.balance_after)
    .where(LedgerEntry.account_id == LedgerAccount.id)
    .order_by(LedgerEntry.account_seq.desc())
    .limit(1)
    .correlate(LedgerAccount)
    .scalar_subquery()
)


async def balances(
    session: AsyncSession, account_ids: Iterable[int], *, lock: bool = False
) -> dict[int, Balance]:
    """Current balances; with `lock`, the accounts stay locked until the transaction ends."""
    ids = sorted(set(account_ids))
    if lock:
        await session.execute(
            sa.select(LedgerAccount.id)
            .where(LedgerAccount.id.in_(ids))
            .order_by(LedgerAccount.id)
            # NO KEY UPDATE: serialises the account's writers without blocking rows that
            # merely reference it (a payment's foreign key to its payee's account).
            .with_for_update(key_share=True)
        )
    rows = await session.execute(
        sa.select(
            LedgerAccount.id,
            LedgerAccount.code,
            LedgerAccount.kind,
            sa.func.coalesce(_LAST_ENTRY, 0),
        ).where(LedgerAccount.id.in_(ids))
    )
    found = {r[0]: Balance(r[0], r[1], AccountKind(r[2]), int(r[3])) for r in rows}
    missing = set(ids) - set(found)
    if missing:
        raise NotFound(f"no ledger account {sorted(missing)[0]}")
    return found


async def balance_of(session: AsyncSession, account_id: int) -> int:
    return (await balances(session, [account_id]))[account_id].balance


def _delta(kind: AccountKind, line: Line) -> int:
    return line.amount if line.side == kind.normal_side else -line.amount


async def start(
    session: AsyncSession,
    actor: Principal,
    *,
    kind: TxnKind,
    occurred_on: date,
    memo: str,
    reverses_id: int | None = None,
) -> LedgerTxn:
    """The transaction's header, so records can name it before its entries are booked.

    Nothing is locked yet: callers write their own rows next and `book` last, so accounts
    stay locked only for the last few statements before the commit."""
    txn = LedgerTxn(
        kind=kind.value,
        occurred_on=occurred_on,
        memo=memo[:300],
        actor=actor.subject,
        actor_role=actor.role.value,
        reverses_id=reverses_id,
        request_id=request_id_var.get() or None,
    )
    session.add(txn)
    await session.flush()
    return txn


async def book(
    session: AsyncSession,
    txn: LedgerTxn,
    lines: Sequence[Line],
    *,
    names: Mapping[int, str] | None = None,
    field: str | None = "amount",
) -> None:
    """Lock the accounts, check every balance stays at or above zero, append the entries.

    InsufficientFunds names the account, what it has and what was asked; the caller's
    whole transaction then rolls back, so nothing moves."""
    merged: dict[tuple[int, Side], int] = defaultdict(int)
    for line in lines:
        if line.amount <= 0:
            raise ValueError("ledger lines carry positive amounts")
        merged[(line.account_id, line.side)] += line.amount
    debits = sum(a for (_, side), a in merged.items() if side is Side.debit)
    credits = sum(a for (_, side), a in merged.items() if side is Side.credit)
    if debits != credits or debits == 0:
        raise ValueError(f"unbalanced transaction: debits {debits}, credits {credits}")

    current = await balances(session, (acc for acc, _ in merged), lock=True)
    projected = {acc: b.balance for acc, b in current.items()}
    outgoing: dict[int, int] = defaultdict(int)
    for (acc, side), amount in merged.items():
        delta = _delta(current[acc].kind, Line(acc, side, amount))
        projected[acc] += delta
        if delta < 0:
            outgoing[acc] -= delta
    for acc, after in sorted(projected.items()):
        if after < 0:
            what = (names or {}).get(acc, current[acc].code)
            raise InsufficientFunds(what, current[acc].balance, outgoing[acc], field)

    await session.execute(
        sa.insert(LedgerEntry),
        [
            {"txn_id": txn.id, "account_id": acc, "side": side.value, "amount_fen": amount}
            for (acc, side), amount in sorted(merged.items())
        ],
    )


async def post(
    session: AsyncSession,
    actor: Principal,
    *,
    kind: TxnKind,
    occurred_on: date,
    memo: str,
    lines: Sequence[Line],
    names: Mapping[int, str] | None = None,
    field: str | None = "amount",
    reverses_id: int | None = None,
) -> LedgerTxn:
    """Append one balanced transaction: `start` then `book`."""
    txn = await start(
        session, actor, kind=kind, occurred_on=occurred_on, memo=memo, reverses_id=reverses_id
    )
    await book(session, txn, lines, names=names, field=field)
    return txn


async def entries_of(session: AsyncSession, txn_id: int) -> list[LedgerEntry]:
    rows = await session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.txn_id == txn_id).order_by(LedgerEntry.id)
    )
    return list(rows.all())


async def reversal_of(session: AsyncSession, txn_id: int) -> int | None:
    found = await session.scalar(sa.select(LedgerTxn.id).where(LedgerTxn.reverses_id == txn_id))
    return int(found) if found is not None else None


async def reverse(
    session: AsyncSession,
    actor: Principal,
    txn_id: int,
    *,
    occurred_on: date,
    reason: str,
    names: Mapping[int, str] | None = None,
    area_code: str | None = None,
) -> LedgerTxn:
    """Post the mirror image of `txn_id`: the correction is a new entry, never an edit."""
    original = await session.scalar(
        sa.select(LedgerTxn).where(LedgerTxn.id == txn_id).with_for_update()
    )
    if original is None:
        raise NotFound(f"no ledger transaction {txn_id}")
    if original.kind == TxnKind.reversal:
        raise ProcedureViolation(
            "a reversal cannot itself be reversed; record the movement again instead"
        )
    if (existing := await reversal_of(session, txn_id)) is not None:
        raise AlreadyReversed(
            f"transaction {txn_id} was already reversed by transaction {existing}",
            extra={"reversal_id": existing},
        )
    if occurred_on < original.occurred_on:
        raise ProcedureViolation("a reversal cannot be dated before the movement it undoes")
    mirrored = [
        Line(e.account_id, Side(e.side).opposite, e.amount_fen)
        for e in await entries_of(session, txn_id)
    ]
    reversal = await post(
        session,
        actor,
        kind=TxnKind.reversal,
        occurred_on=occurred_on,
        memo=f"reversal of {original.kind} {txn_id}: {reason}",
        lines=mirrored,
        names=names,
        field=None,
        reverses_id=txn_id,
    )
    await audit.record(
        session,
        actor,
        "ledger.reverse",
        "ledger_txn",
        txn_id,
        area_code=area_code or actor.area_code,
        after={
            "kind": original.kind,
            "reversal_txn_id": reversal.id,
            "reversed_on": occurred_on.isoformat(),
            "reason": reason,
        },
    )
    return reversal


async def trial_balance(session: AsyncSession) -> TrialBalance:
    """Total debits and credits, and the balances by kind of account."""
    signed = sa.case((LedgerEntry.side == Side.debit.value, LedgerEntry.amount_fen), else_=0)
    row = (
        await session.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(signed), 0),
                sa.func.coalesce(sa.func.sum(LedgerEntry.amount_fen), 0),
            )
        )
    ).one()
    debits, total = int(row[0]), int(row[1])
    last = (
        sa.select(LedgerEntry.account_id, LedgerEntry.balance_after)
        .ext(distinct_on(LedgerEntry.account_id))
        .order_by(LedgerEntry.account_id, LedgerEntry.account_seq.desc())
        .subquery()
    )
    kinds = (
        await session.execute(
            sa.select(
                LedgerAccount.kind,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(last.c.balance_after), 0),
                sa.func.count().filter(last.c.balance_after < 0),
            )
            .select_from(LedgerAccount)
            .outerjoin(last, last.c.account_id == LedgerAccount.id)
            .group_by(LedgerAccount.kind)
            .order_by(LedgerAccount.kind)
        )
    ).all()
    txns = int(await session.scalar(sa.select(sa.func.count()).select_from(LedgerTxn)) or 0)
    return TrialBalance(
        debits=debits,
        credits=total - debits,
        balanced=debits == total - debits,
        transactions=txns,
        accounts=sum(int(k[1]) for k in kinds),
        negative_accounts=sum(int(k[3]) for k in kinds),
        by_kind=[
            KindBalance(kind=AccountKind(k[0]), accounts=int(k[1]), balance=int(k[2]))
            for k in kinds
        ],
    )
