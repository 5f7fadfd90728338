"""Ledger rules the database enforces, whoever writes

- Every ledger entry gets its account's next sequence number and running balance from
  the database, under a lock on the account row; `balance_not_negative` then refuses
  any entry that would take an account below zero, however many writers race.
- A transaction's debits equal its credits, checked at commit (deferred), and a
  transaction has entries.
- The ledger and every money record are append-only: UPDATE, DELETE and TRUNCATE fail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = (
    "ledger_account",
    "ledger_txn",
    "ledger_entry",
    "fund_source",
    "allocation",
    "disbursement",
    "project_stage",
    "household_card",
    "project_asset",
    "asset_income",
    "income_distribution",
)


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION ledger_entry_post() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            normal text;
            last_seq bigint;
            last_balance bigint;
        BEGIN
            -- Serialises every writer of this account; the statements below then see
            -- every entry committed before the lock was granted (READ COMMITTED).
            -- NO KEY UPDATE does not block rows that only reference the account.
            SELECT normal_side INTO normal FROM ledger_account
                WHERE id = NEW.account_id FOR NO KEY UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger account % does not exist', NEW.account_id
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            SELECT account_seq, balance_after INTO last_seq, last_balance FROM ledger_entry
                WHERE account_id = NEW.account_id ORDER BY account_seq DESC LIMIT 1;
            NEW.account_seq := COALESCE(last_seq, 0) + 1;
            NEW.balance_after := COALESCE(last_balance, 0)
                + CASE WHEN NEW.side = normal THEN NEW.amount_fen ELSE -NEW.amount_fen END;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER ledger_entry_post BEFORE INSERT ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_post()
        """
    )
    op.execute(
        """
        CREATE FUNCTION ledger_txn_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            txn bigint;
            net bigint;
            lines bigint;
        BEGIN
            -- Each branch is planned only when it runs: NEW has `id` or `txn_id`, not both.
            IF TG_TABLE_NAME = 'ledger_txn' THEN
                txn := NEW.id;
            ELSE
                txn := NEW.txn_id;
            END IF;
            SELECT COALESCE(SUM(CASE side WHEN 'D' THEN amount_fen ELSE -amount_fen END), 0),
                   count(*)
                INTO net, lines FROM ledger_entry WHERE txn_id = txn;
            IF lines < 2 OR net <> 0 THEN
                RAISE EXCEPTION 'ledger transaction % does not balance (% entries, net %)',
                    txn, lines, net USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table in ("ledger_txn", "ledger_entry"):
        op.execute(
            f"""
            CREATE CONSTRAINT TRIGGER {table}_balanced AFTER INSERT ON {table}
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION ledger_txn_balanced()
            """
        )
    for table in APPEND_ONLY:
        op.execute(
            f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation()
            """
        )


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    for table in ("ledger_txn", "ledger_entry"):
        op.execute(f"DROP TRIGGER {table}_balanced ON {table}")
    op.execute("DROP FUNCTION ledger_txn_balanced()")
    op.execute("DROP TRIGGER ledger_entry_post ON ledger_entry")
    op.execute("DROP FUNCTION ledger_entry_post()")
