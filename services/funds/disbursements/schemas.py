from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.funds.codes import PayeeKind
from services.funds.money import Amount, PositiveAmountIn
from services.funds.validation import CreditCode, PastDate


class HouseholdPayee(BaseModel):
    """A registered household: paid into its 一卡通 account on file, never in cash."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["household"]
    household_id: uuid.UUID


class ContractorPayee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["contractor"]
    name: str = Field(min_length=1, max_length=200, examples=["枣庄市峄城区宏达建筑有限公司"])
    credit_code: CreditCode = Field(description="统一社会信用代码")
    bank_account: str = Field(pattern=r"^\d{8,32}$")


class SubsidyReason(BaseModel):
    """A subsidy: the eligibility service computes it; the amount must equal its answer."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["subsidy"]
    benefit_code: str = Field(pattern=r"^[a-z][a-z_]{1,63}$", examples=["housing_renovation"])
    date: dt.date = Field(description="the date the benefit is computed for")
    facts: dict[str, Any]


class InvoiceReason(BaseModel):
    """Works or goods: paid against an invoice, never beyond its amount in total."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["invoice"]
    invoice_number: str = Field(min_length=1, max_length=64)
    invoice_date: PastDate
    invoice_amount: PositiveAmountIn


Payee = Annotated[HouseholdPayee | ContractorPayee, Field(discriminator="kind")]
Reason = Annotated[SubsidyReason | InvoiceReason, Field(discriminator="kind")]


class DisbursementCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "allocation_id": "2d4c6e8a-0b1c-4d2e-8f3a-5b6c7d8e9f01",
                    "amount": "8000.00",
                    "paid_on": "2018-11-05",
                    "payee": {
                        "kind": "household",
                        "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    },
                    "reason": {
                        "kind": "subsidy",
                        "benefit_code": "housing_renovation",
                        "date": "2018-10-20",
                        "facts": {
                            "grade": "C",
                            "method": "repair",
                            "actual_investment": "9500.00",
                            "persons": 2,
                            "planned_area_m2": "45.00",
                        },
                    },
                },
                {
                    "allocation_id": "2d4c6e8a-0b1c-4d2e-8f3a-5b6c7d8e9f01",
                    "amount": "120000.00",
                    "paid_on": "2018-11-05",
                    "payee": {
                        "kind": "contractor",
                        "name": "枣庄市峄城区宏达建筑有限公司",
                        "credit_code": "91370404MA3C2B4K1P",
                        "bank_account": "15245201040001234",
                    },
                    "reason": {
                        "kind": "invoice",
                        "invoice_number": "37001800112345678",
                        "invoice_date": "2018-10-28",
                        "invoice_amount": "120000.00",
                    },
                },
            ]
        },
    )

    allocation_id: uuid.UUID
    amount: PositiveAmountIn
    paid_on: PastDate
    payee: Payee
    reason: Reason

    @model_validator(mode="after")
    def _reason_fits_payee(self) -> Self:
        if isinstance(self.payee, HouseholdPayee) and not isinstance(self.reason, SubsidyReason):
            raise ValueError("a household is paid a subsidy computed by the eligibility service")
        if isinstance(self.payee, ContractorPayee) and not isinstance(self.reason, InvoiceReason):
            raise ValueError("a contractor is paid against an invoice")
        if isinstance(self.reason, InvoiceReason) and self.amount > self.reason.invoice_amount:
            raise ValueError("amount exceeds the invoice amount")
        return self


class PayeeRead(BaseModel):
    kind: PayeeKind
    household_id: uuid.UUID | None = None
    card_id: uuid.UUID | None = None
    card_masked: str | None = None
    bank: str | None = None
    name: str | None = None
    credit_code: str | None = None
    bank_account: str | None = None


class DisbursementRead(BaseModel):
    id: uuid.UUID
    allocation_id: uuid.UUID
    project_id: uuid.UUID
    amount: Amount
    paid_on: date
    payee: PayeeRead
    reason: dict[str, Any] = Field(
        description="the eligibility calculation with its trace, or the invoice"
    )
    town_code: str
    village_code: str | None
    reversed: bool
    reversal_txn_id: int | None
    txn_id: int
    created_by: str
    created_at: datetime
