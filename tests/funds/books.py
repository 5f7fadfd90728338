"""The ledger invariants, checked after every test (conftest wires it).

Run inside the test's own transaction (or on the committed state), the check fires the
deferred constraint triggers first, then proves with plain SQL that:
- every transaction has at least two entries and its debits equal its credits, and the
  whole ledger's debits equal its credits;
- every account's entries are numbered 1..n without a gap, each entry's running balance
  is the sum of the entries so far, and no balance is ever below zero;
- each money record agrees with its account: a source's balance is its amount less what
  it allocated, an allocation's is its amount less what was paid from it, a household's
  is what it was paid, an asset's income of a year less what was distributed; standing
  means "not reversed";
- every movement belongs to exactly one record, payments only to accepted projects,
  allocations within the project's budget.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_STANDING = "NOT EXISTS (SELECT 1 FROM ledger_txn r WHERE r.reverses_id = {}.txn_id)"


def _expand(sql: str) -> str:
    """`standing(x)`: the row x's movement has not been reversed."""
    return re.sub(r"standing\((\w+)\)", lambda m: _STANDING.format(m.group(1)), sql)


CHECKS: dict[str, str] = {
    "transactions balance and have two entries": """
        SELECT t.id FROM ledger_txn t LEFT JOIN ledger_entry e ON e.txn_id = t.id
        GROUP BY t.id
        HAVING count(e.id) < 2
            OR COALESCE(sum(CASE e.side WHEN 'D' THEN e.amount_fen ELSE -e.amount_fen END), 0) <> 0
    """,
    "total debits equal total credits": """
        SELECT 1 FROM ledger_entry
        HAVING COALESCE(sum(CASE side WHEN 'D' THEN amount_fen ELSE -amount_fen END), 0) <> 0
    """,
    "running balances are the sums of entries, gapless, never negative": """
        SELECT account_id, account_seq FROM (
            SELECT e.account_id, e.account_seq, e.balance_after,
                   sum(CASE WHEN e.side = a.normal_side THEN e.amount_fen ELSE -e.amount_fen END)
                       OVER w AS running,
                   row_number() OVER w AS n,
                   min(e.balance_after) OVER w AS low
            FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
            WINDOW w AS (PARTITION BY e.account_id ORDER BY e.account_seq)
        ) x
        WHERE balance_after <> running OR account_seq <> n OR low < 0
    """,
    "entries are posted in account order (seq follows insertion)": """
        SELECT account_id FROM (
            SELECT account_id, account_seq,
                   row_number() OVER (PARTITION BY account_id ORDER BY id) AS n
            FROM ledger_entry
        ) x WHERE account_seq <> n
    """,
    "a source's balance is its amount less its standing allocations": """
        SELECT s.id FROM fund_source s
        WHERE (SELECT COALESCE((SELECT balance_after FROM ledger_entry
                                WHERE account_id = s.account_id
                                ORDER BY account_seq DESC LIMIT 1), 0))
           <> CASE WHEN NOT EXISTS (SELECT 1 FROM ledger_txn r
                                    WHERE r.reverses_id = s.funding_txn_id)
                   THEN s.amount_fen ELSE 0 END
              - (SELECT COALESCE(sum(al.amount_fen), 0) FROM allocation al
                 WHERE al.source_id = s.id AND standing(al))
    """,
    "an allocation's balance is its amount less its standing payments": """
        SELECT al.id FROM allocation al
        WHERE (SELECT COALESCE((SELECT balance_after FROM ledger_entry
                                WHERE account_id = al.account_id
                                ORDER BY account_seq DESC LIMIT 1), 0))
           <> CASE WHEN standing(al) THEN al.amount_fen ELSE 0 END
              - (SELECT COALESCE(sum(d.amount_fen), 0) FROM disbursement d
                 WHERE d.allocation_id = al.id AND standing(d))
    """,
    "a payee's balance is what it was paid and not reversed": """
        SELECT a.id FROM ledger_account a
        WHERE a.kind IN ('household', 'contractor')
          AND COALESCE((SELECT balance_after FROM ledger_entry WHERE account_id = a.id
                        ORDER BY account_seq DESC LIMIT 1), 0)
           <> (SELECT COALESCE(sum(d.amount_fen), 0) FROM disbursement d
               WHERE d.payee_account_id = a.id AND standing(d))
            + (SELECT COALESCE(sum(i.amount_fen), 0) FROM income_distribution i
               WHERE i.payee_account_id = a.id AND standing(i))
    """,
    "an asset's income account is its income less its distributions": """
        SELECT a.id FROM ledger_account a
        WHERE a.kind = 'asset_income'
          AND COALESCE((SELECT balance_after FROM ledger_entry WHERE account_id = a.id
                        ORDER BY account_seq DESC LIMIT 1), 0)
           <> (SELECT COALESCE(sum(x.amount_fen), 0) FROM asset_income x
               WHERE x.account_id = a.id AND standing(x))
            - (SELECT COALESCE(sum(i.amount_fen), 0) FROM income_distribution i
               WHERE standing(i)
                 AND (i.asset_id, i.year) IN (SELECT asset_id, year FROM asset_income
                                              WHERE account_id = a.id))
    """,
    "every movement belongs to exactly one record": """
        SELECT t.id FROM ledger_txn t
        WHERE t.kind <> 'reversal'
          AND (SELECT count(*) FROM fund_source WHERE funding_txn_id = t.id)
            + (SELECT count(*) FROM allocation WHERE txn_id = t.id)
            + (SELECT count(*) FROM disbursement WHERE txn_id = t.id)
            + (SELECT count(*) FROM asset_income WHERE txn_id = t.id)
            + (SELECT count(*) FROM income_distribution WHERE txn_id = t.id) <> 1
    """,
    "a reversal mirrors the transaction it undoes": """
        SELECT r.id FROM ledger_txn r JOIN ledger_txn o ON o.id = r.reverses_id
        WHERE o.kind = 'reversal'
           OR EXISTS (
                (SELECT account_id, side, amount_fen FROM ledger_entry WHERE txn_id = o.id
                 EXCEPT
                 SELECT account_id, CASE side WHEN 'D' THEN 'C' ELSE 'D' END, amount_fen
                 FROM ledger_entry WHERE txn_id = r.id)
                UNION ALL
                (SELECT account_id, CASE side WHEN 'D' THEN 'C' ELSE 'D' END, amount_fen
                 FROM ledger_entry WHERE txn_id = r.id
                 EXCEPT
                 SELECT account_id, side, amount_fen FROM ledger_entry WHERE txn_id = o.id))
    """,
    "a payment debits its payee and credits its allocation by its amount": """
        SELECT d.id FROM disbursement d JOIN allocation al ON al.id = d.allocation_id
        WHERE NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.txn_id = d.txn_id
                          AND e.account_id = d.payee_account_id AND e.side = 'D'
                          AND e.amount_fen = d.amount_fen)
           OR NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.txn_id = d.txn_id
                          AND e.account_id = al.account_id AND e.side = 'C'
                          AND e.amount_fen = d.amount_fen)
           OR (SELECT count(*) FROM ledger_entry e WHERE e.txn_id = d.txn_id) <> 2
    """,
    "payments only from accepted projects": """
        SELECT d.id FROM disbursement d JOIN project p ON p.id = d.project_id
        WHERE p.stage <> 'accepted'
    """,
    "allocations only to approved projects, within budget": """
        SELECT p.id FROM project p JOIN allocation al ON al.project_id = p.id
        GROUP BY p.id
        HAVING bool_or(p.stage NOT IN ('district_approved', 'agreement_signed',
                                       'under_construction', 'accepted'))
            OR sum(al.amount_fen) FILTER (WHERE standing(al)) > min(p.budget_fen)
    """,
}


async def assert_books_balance(connection: AsyncConnection) -> None:
    # Deferred triggers (a transaction's balance) otherwise wait for a commit that, in a
    # rolled-back test, never comes.
    await connection.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    # Back to the declared mode: the transaction may go on writing (the state machine).
    await connection.execute(
        text("SET CONSTRAINTS ledger_txn_balanced, ledger_entry_balanced DEFERRED")
    )
    broken = {}
    for name, query in CHECKS.items():
        rows = (await connection.execute(text(_expand(query)))).all()
        if rows:
            broken[name] = [tuple(r) for r in rows[:5]]
    assert not broken, f"the books do not balance: {broken}"
