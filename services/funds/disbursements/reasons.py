"""Why a payment is owed: the eligibility service's calculation, or an invoice.

The seam to the eligibility service is `check_subsidy`: it sends the benefit code, date
and facts to `POST /v1/benefits/{code}/calculate` and pays only the exact amount the
answer states, keeping the whole answer (items, reasons, trace) with the payment.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.clients import EligibilityClient
from services.funds.disbursements.models import Disbursement
from services.funds.disbursements.schemas import DisbursementCreate, InvoiceReason, SubsidyReason
from services.funds.errors import AmountMismatch, OverBudget
from services.funds.money import format_fen, parse_fen
from services.funds.totals import standing
from shared.errors import FieldError, InvalidInput, UpstreamUnavailable


async def check_subsidy(
    reason: SubsidyReason, amount: int, *, eligibility: EligibilityClient | None, token: str
) -> dict[str, Any]:
    if eligibility is None:
        raise UpstreamUnavailable(
            "the eligibility service is not configured (FUNDS_ELIGIBILITY_URL); a subsidy "
            "cannot be checked, so it is not paid"
        )
    calculation = await eligibility.calculate(
        reason.benefit_code, on=reason.date, facts=reason.facts, token=token
    )
    if not calculation.eligible:
        raise InvalidInput(
            f"not eligible for {reason.benefit_code}: " + "; ".join(calculation.reasons),
            errors=[FieldError(("body", "reason", "facts"), r) for r in calculation.reasons]
            or [FieldError(("body", "reason", "facts"), "not eligible")],
            extra={"reasons": calculation.reasons},
        )
    if calculation.unit != "yuan":
        raise InvalidInput(
            f"{reason.benefit_code} is granted in {calculation.unit}, not paid in money",
            errors=[FieldError(("body", "reason", "benefit_code"), "not a money benefit")],
        )
    try:
        computed = parse_fen(f"{calculation.amount:f}")
    except ValueError as exc:
        raise UpstreamUnavailable(f"eligibility answered an unusable amount: {exc}") from exc
    if computed != amount:
        raise AmountMismatch(
            f"the eligibility service computes {format_fen(computed)} for {reason.benefit_code}"
            f" on {reason.date}; {format_fen(amount)} differs",
            errors=[FieldError(("body", "amount"), f"must equal {format_fen(computed)}")],
            extra={"computed": format_fen(computed)},
        )
    return {
        "kind": "subsidy",
        "benefit_code": reason.benefit_code,
        "date": reason.date.isoformat(),
        "facts": reason.facts,
        "calculation": calculation.model_dump(mode="json"),
    }


async def check_invoice(session: AsyncSession, data: DisbursementCreate) -> dict[str, Any]:
    """An invoice is never paid beyond its amount, over all its (standing) payments."""
    reason = data.reason
    assert isinstance(reason, InvoiceReason)
    code = getattr(data.payee, "credit_code", "")
    # Serialise payments of one invoice (the same invoice may be paid from two allocations).
    await session.execute(
        sa.select(
            sa.func.pg_advisory_xact_lock(
                sa.func.hashtextextended(f"invoice:{code}:{reason.invoice_number}", 0)
            )
        )
    )
    paid = int(
        await session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Disbursement.amount_fen), 0)).where(
                Disbursement.contractor_code == code,
                Disbursement.invoice_number == reason.invoice_number,
                standing(Disbursement.txn_id),
            )
        )
        or 0
    )
    if paid + data.amount > reason.invoice_amount:
        left = reason.invoice_amount - paid
        raise OverBudget(
            f"invoice {reason.invoice_number} is for {format_fen(reason.invoice_amount)} and "
            f"{format_fen(paid)} of it is paid; at most {format_fen(max(left, 0))} more",
            errors=[FieldError(("body", "amount"), "exceeds what is left on the invoice")],
        )
    return {
        "kind": "invoice",
        "invoice_number": reason.invoice_number,
        "invoice_date": reason.invoice_date.isoformat(),
        "invoice_amount": format_fen(reason.invoice_amount),
    }
