"""Money: decimal strings in yuan on the wire, integer fen (分) everywhere inside.

A request amount is parsed straight into fen; a float never exists. Negative amounts,
amounts finer than one fen and JSON numbers are refused with a message naming the rule
(pydantic names the field). Responses carry fen back out as "8000.00".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

# 1000亿元: far above any district's budget, far inside PostgreSQL's bigint.
MAX_FEN = 10**13
_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")
_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^\d+(\.\d{1,2})?$",
    "description": "yuan with at most two decimals",
    "examples": ["8000.00"],
}


def parse_fen(value: object) -> int:
    """Integer fen of a decimal string in yuan; ValueError says what is wrong."""
    if not isinstance(value, str):
        raise ValueError('money is a decimal string in yuan such as "8000.00", not a number')
    text = value.strip()
    if not _TEXT.fullmatch(text):
        raise ValueError(f'{value!r} is not an amount in yuan such as "8000.00"')
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes it
        raise ValueError(f"{value!r} is not an amount") from exc
    if amount < 0:
        raise ValueError("must not be negative")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError("has more than two decimals: amounts are whole fen (0.01 yuan)")
    if fen > MAX_FEN:
        raise ValueError("is larger than any budget this system keeps")
    return int(fen)


def format_fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


def _positive(fen: int) -> int:
    if fen <= 0:
        raise ValueError("must be more than zero")
    return fen


# Request fields: "8000.00" → 800000.
AmountIn = Annotated[
    int,
    BeforeValidator(parse_fen),
    PlainSerializer(format_fen, return_type=str),
    WithJsonSchema(_SCHEMA),
]
PositiveAmountIn = Annotated[AmountIn, AfterValidator(_positive)]
# Response fields: 800000 → "8000.00".
Amount = Annotated[
    int,
    PlainSerializer(format_fen, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["8000.00"], "description": "yuan"}),
]


def ratio(part: int, whole: int) -> str | None:
    """A share as a decimal string with four places ("0.2150"), or None for an empty whole."""
    if whole <= 0:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
