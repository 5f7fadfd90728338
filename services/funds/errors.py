"""The funds service's own refusals: each names its reason in `type`, `detail` and `errors`."""

from __future__ import annotations

from services.funds.money import format_fen
from shared.errors import Conflict, FieldError, InvalidInput


class InsufficientFunds(Conflict):
    title = "Insufficient funds"
    type_slug = "insufficient-funds"

    def __init__(
        self, what: str, available: int, requested: int, field: str | None = "amount"
    ) -> None:
        super().__init__(
            f"{what} has {format_fen(available)} left; {format_fen(requested)} does not fit",
            errors=[FieldError(("body", field), f"exceeds the {format_fen(available)} left")]
            if field
            else [],
            extra={"available": format_fen(available), "requested": format_fen(requested)},
        )


class OverBudget(Conflict):
    title = "Over the project's budget"
    type_slug = "over-budget"


class StageRequired(Conflict):
    """The project is not at the stage the action needs (approval, acceptance)."""

    title = "Project stage does not allow this"
    type_slug = "stage-required"


class ProcedureViolation(Conflict):
    title = "Out of procedure"
    type_slug = "procedure"


class AlreadyReversed(Conflict):
    title = "Already reversed"
    type_slug = "already-reversed"


class PayeeRefused(InvalidInput):
    title = "Payee refused"
    type_slug = "payee-refused"


class AmountMismatch(InvalidInput):
    title = "Amount differs from the entitlement"
    type_slug = "amount-mismatch"


class NoCard(Conflict):
    title = "No 一卡通 account on file"
    type_slug = "no-card"
