"""The database itself keeps the ledger's rules, whoever writes: not only the service.

Raw SQL here plays a writer that skips the service's checks (a bug, a script, a person at
a SQL prompt). Tests that must commit use a scratch database of their own, so their
deliberately bare rows never reach the shared one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.funds.main import MIGRATIONS
from shared import migrations
from shared.db import async_url
from tests.funds.factories import Households, TokenFactory, contractor_payment
from tests.funds.helpers import funded_allocation, ok, register_card


async def refuses(db: AsyncConnection, sql: str, params: dict[str, Any] | None = None) -> str:
    """Run `sql` in a savepoint; it must fail. Returns the database's message."""
    await db.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # settle earlier writes first
    try:
        async with db.begin_nested():
            await db.execute(sa.text(sql), params or {})
            await db.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # as at a commit
    except DBAPIError as exc:
        return str(exc.orig)
    finally:
        await db.execute(_DEFERRED)
    raise AssertionError(f"the database accepted: {sql}")


_DEFERRED = sa.text("SET CONSTRAINTS ledger_txn_balanced, ledger_entry_balanced DEFERRED")


@pytest.fixture
async def paid(
    client: httpx.AsyncClient, auth: TokenFactory, households: Households
) -> dict[str, Any]:
    """A payment (and a card on file), so every table below has rows to refuse changing."""
    await register_card(client, auth, households.worker)
    allocation = await funded_allocation(client, auth, "1000.00")
    return ok(
        await client.post(
            "/v1/disbursements", json=contractor_payment(allocation["id"], "10.00"), headers=auth()
        )
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET amount_fen = amount_fen + 1",
        "UPDATE ledger_entry SET balance_after = 999999999",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_txn SET memo = 'edited'",
        "DELETE FROM ledger_txn WHERE kind = 'disbursement'",
        "UPDATE ledger_account SET normal_side = 'C' WHERE kind = 'allocation'",
        "UPDATE disbursement SET amount_fen = 1",
        "DELETE FROM disbursement",
        "UPDATE allocation SET amount_fen = 1",
        "UPDATE fund_source SET amount_fen = 1",
        "DELETE FROM project_stage",
        "UPDATE household_card SET bank = 'x'",
        "TRUNCATE ledger_entry CASCADE",
        "TRUNCATE disbursement CASCADE",
    ],
)
async def test_nothing_is_updated_deleted_or_truncated(
    db: AsyncConnection, paid: dict[str, Any], sql: str
) -> None:
    message = await refuses(db, sql)
    assert "append-only" in message


async def test_an_entry_that_would_overdraw_is_refused_even_in_raw_sql(
    db: AsyncConnection, paid: dict[str, Any]
) -> None:
    """The allocation has 990.00 left; a balanced raw transaction taking 990.01 fails."""
    allocation, payee = await _accounts_of(db, paid["txn_id"])
    sql = """
        WITH t AS (INSERT INTO ledger_txn (kind, occurred_on, memo, actor, actor_role)
                   VALUES ('disbursement', current_date, 'raw', 'mallory', 'finance_officer')
                   RETURNING id)
        INSERT INTO ledger_entry (txn_id, account_id, side, amount_fen)
        SELECT t.id, CAST(:payee AS bigint), 'D', 99001 FROM t UNION ALL SELECT t.id, CAST(:acc AS bigint), 'C', 99001 FROM t
    """
    message = await refuses(db, sql, {"acc": allocation, "payee": payee})
    assert "balance_not_negative" in message


async def _accounts_of(db: AsyncConnection, txn_id: int) -> tuple[int, int]:
    """(credited, debited) accounts of a payment: its allocation and its payee."""
    rows = (await db.execute(sa.text(
        "SELECT account_id FROM ledger_entry WHERE txn_id = :t ORDER BY side"),
        {"t": txn_id})).scalars().all()  # fmt: skip
    return int(rows[0]), int(rows[1])


async def test_a_transaction_whose_debits_and_credits_differ_is_refused(
    db: AsyncConnection, paid: dict[str, Any]
) -> None:
    credit, debit = await _accounts_of(db, paid["txn_id"])
    sql = """
        WITH t AS (INSERT INTO ledger_txn (kind, occurred_on, memo, actor, actor_role)
                   VALUES ('disbursement', current_date, 'raw', 'mallory', 'finance_officer')
                   RETURNING id)
        INSERT INTO ledger_entry (txn_id, account_id, side, amount_fen)
        SELECT t.id, CAST(:credit AS bigint), 'C', 100 FROM t UNION ALL SELECT t.id, CAST(:debit AS bigint), 'D', 101 FROM t
    """
    message = await refuses(db, sql, {"credit": credit, "debit": debit})
    assert "does not balance" in message
    empty = """INSERT INTO ledger_txn (kind, occurred_on, memo, actor, actor_role)
               VALUES ('disbursement', current_date, 'raw', 'mallory', 'finance_officer')"""
    assert "does not balance (0 entries" in await refuses(db, empty)


async def test_running_balances_are_computed_by_the_database_not_the_writer(
    db: AsyncConnection, paid: dict[str, Any]
) -> None:
    """A writer that sends its own sequence number and balance is overruled."""
    allocation, _ = await _accounts_of(db, paid["txn_id"])
    savepoint = await db.begin_nested()
    row = (
        await db.execute(
            sa.text("""
            WITH t AS (INSERT INTO ledger_txn (kind, occurred_on, memo, actor, actor_role)
                       VALUES ('disbursement', current_date, 'raw', 'x', 'finance_officer')
                       RETURNING id)
            INSERT INTO ledger_entry
                (txn_id, account_id, side, amount_fen, account_seq, balance_after)
            SELECT t.id, CAST(:acc AS bigint), 'D', 5, 1, 123456789 FROM t
            RETURNING account_seq, balance_after
            """),
            {"acc": allocation},
        )
    ).one()
    await savepoint.rollback()  # half a transaction: never let it near a commit
    # After the allocation (seq 1, 1000.00) and the payment (seq 2, -10.00): 990.00 + 0.05.
    assert tuple(row) == (3, 99005)


@pytest.fixture
async def scratch(make_database: Callable[[str], str]) -> AsyncIterator[AsyncEngine]:
    """A migrated funds database of this test's own, for commits of bare ledger rows."""
    url = make_database("funds_scratch")
    migrations.upgrade(MIGRATIONS, url)
    engine = create_async_engine(async_url(url))
    try:
        yield engine
    finally:
        await engine.dispose()


async def _account(conn: AsyncConnection, code: str, kind: str, side: str) -> int:
    return int((await conn.execute(sa.text(
        "INSERT INTO ledger_account (code, kind, normal_side) VALUES (:c, :k, :s) RETURNING id"),
        {"c": code, "k": kind, "s": side})).scalar_one())  # fmt: skip


async def _move(conn: AsyncConnection, debit: int, credit: int, fen: int) -> None:
    await conn.execute(
        sa.text("""
        WITH t AS (INSERT INTO ledger_txn (kind, occurred_on, memo, actor, actor_role)
                   VALUES ('allocation', current_date, 'raw', 'x', 'finance_officer') RETURNING id)
        INSERT INTO ledger_entry (txn_id, account_id, side, amount_fen)
        SELECT t.id, CAST(:d AS bigint), 'D', CAST(:f AS bigint) FROM t UNION ALL SELECT t.id, CAST(:c AS bigint), 'C', CAST(:f AS bigint) FROM t
        """),
        {"d": debit, "c": credit, "f": fen},
    )


async def test_two_raw_writers_racing_for_one_balance_cannot_both_take_it(
    scratch: AsyncEngine,
) -> None:
    async with scratch.begin() as conn:
        funding = await _account(conn, "funding:central", "funding", "C")
        source = await _account(conn, "source:s", "source", "D")
        first = await _account(conn, "allocation:a", "allocation", "D")
        second = await _account(conn, "allocation:b", "allocation", "D")
        await _move(conn, source, funding, 10_000)

    async with scratch.connect() as a, scratch.connect() as b:
        await a.begin()
        await _move(a, first, source, 8_000)  # holds the source's lock, not committed
        await b.begin()
        racer = asyncio.create_task(_move(b, second, source, 8_000))
        await asyncio.sleep(0.3)
        assert not racer.done(), "the second writer must wait for the first"
        await a.commit()
        with pytest.raises(DBAPIError, match="balance_not_negative"):
            await racer
        await b.rollback()

    async with scratch.connect() as conn:
        balance = (await conn.execute(sa.text(
            "SELECT balance_after FROM ledger_entry WHERE account_id = :a "
            "ORDER BY account_seq DESC LIMIT 1"), {"a": source})).scalar_one()  # fmt: skip
    assert balance == 2_000
