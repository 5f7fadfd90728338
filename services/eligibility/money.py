"""Money arithmetic: yuan as `Decimal`, rounded once per line item, half up (RULES.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Largest amount a fact may carry: far above any household or project figure, small enough
# that integer fen times a rate numerator stays inside int64 in the batch engine.
MAX_YUAN = Decimal("1000000000")

Yuan = Annotated[Decimal, Field(ge=0, le=MAX_YUAN, decimal_places=2)]
"""A non-negative amount of money in yuan with at most two decimals."""


def round_yuan(amount: Decimal) -> Decimal:
    """Round a line item's final amount to the fen, half up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of an amount already at two decimals (facts, rounded lines)."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def per_capita(total: Decimal, members: int) -> Decimal:
    """Per-person figure for display; rules compare `total` against `line × members` instead."""
    return round_yuan(total / members)
