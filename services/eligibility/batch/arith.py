"""Exact integer arithmetic on fen arrays, matching `Decimal` with ROUND_HALF_UP.

Money is integer fen (int64). A rate or parameter is turned into an exact fraction num/den,
so `fen × rate` is computed as `fen × num` and divided once, rounding half up exactly as the
single path's `Decimal.quantize(ROUND_HALF_UP)` does — never through float.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import lcm

import numpy as np
import numpy.typing as npt

Int = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


def fen(amount: Decimal) -> int:
    """Exact fen of a parameter in yuan; refuses one with fractions of a fen."""
    value = Fraction(amount) * 100
    if value.denominator != 1:
        raise ValueError(f"{amount} is not a whole number of fen")
    return value.numerator


def ratio(*values: Decimal) -> tuple[list[int], int]:
    """Numerators over one common denominator for several exact decimals."""
    fractions = [Fraction(v) for v in values]
    den = lcm(*(f.denominator for f in fractions))
    return [int(f * den) for f in fractions], den


def times_rate(amount_fen: Int, rate: Decimal) -> Int:
    """round_yuan(amount × rate) in fen, for non-negative amounts."""
    (num,), den = ratio(rate)
    return (2 * amount_fen * num + den) // (2 * den)


def segment_sum(values: npt.NDArray[np.int64], starts: Int) -> Int:
    """Sum of each household's members; `starts` holds each household's first person."""
    if values.size == 0:
        return np.zeros(starts.size, dtype=np.int64)
    return np.add.reduceat(values, starts).astype(np.int64)


def segment_any(flags: Bool, starts: Int) -> Bool:
    if flags.size == 0:
        return np.zeros(starts.size, dtype=np.bool_)
    return np.logical_or.reduceat(flags, starts)


def at_least(hundredths: Int, limit: Decimal, times: Int | int = 1) -> Bool:
    """hundredths / 100 ≥ limit × times, exactly (areas kept in hundredths of m² or mu)."""
    bound = Fraction(limit) * 100
    return hundredths * bound.denominator >= bound.numerator * times


def at_most(hundredths: Int, limit: Decimal, times: Int | int = 1) -> Bool:
    bound = Fraction(limit) * 100
    return hundredths * bound.denominator <= bound.numerator * times
