from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.funds.ledger.models import AccountKind, Side, TxnKind
from services.funds.money import Amount


class EntryRead(BaseModel):
    id: int
    txn_id: int
    account_id: int
    account_code: str
    side: Side
    amount: Amount
    account_seq: int
    balance_after: Amount


class TxnRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 57,
                    "kind": "disbursement",
                    "occurred_on": "2018-11-05",
                    "memo": "东于村危房改造: subsidy to household",
                    "actor": "liu.finance",
                    "actor_role": "finance_officer",
                    "reverses_id": None,
                    "reversed_by": None,
                    "created_at": "2018-11-05T10:00:00+08:00",
                    "entries": [
                        {
                            "id": 113,
                            "txn_id": 57,
                            "account_id": 31,
                            "account_code": "household:0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                            "side": "D",
                            "amount": "8000.00",
                            "account_seq": 1,
                            "balance_after": "8000.00",
                        },
                        {
                            "id": 114,
                            "txn_id": 57,
                            "account_id": 23,
                            "account_code": "allocation:2d4c6e8a-0b1c-4d2e-8f3a-5b6c7d8e9f01",
                            "side": "C",
                            "amount": "8000.00",
                            "account_seq": 4,
                            "balance_after": "792000.00",
                        },
                    ],
                }
            ]
        }
    )

    id: int
    kind: TxnKind
    occurred_on: date
    memo: str
    actor: str
    actor_role: str
    reverses_id: int | None
    reversed_by: int | None
    created_at: datetime
    entries: list[EntryRead]


class AccountRead(BaseModel):
    id: int
    code: str
    kind: AccountKind
    normal_side: Side
    balance: Amount = Field(description="on the account's normal side; never below zero")
    entries: int


class KindBalance(BaseModel):
    kind: AccountKind
    accounts: int
    balance: Amount


class TrialBalance(BaseModel):
    """The books: total debits equal total credits, and every balance is at least zero."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "debits": "12500000.00",
                    "credits": "12500000.00",
                    "balanced": True,
                    "transactions": 412,
                    "accounts": 96,
                    "negative_accounts": 0,
                    "by_kind": [{"kind": "source", "accounts": 8, "balance": "3100000.00"}],
                }
            ]
        }
    )

    debits: Amount
    credits: Amount
    balanced: bool
    transactions: int
    accounts: int
    negative_accounts: int
    by_kind: list[KindBalance]
