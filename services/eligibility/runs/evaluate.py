"""A run's evaluation: the batch engine over the loaded households, then one result row
per household and the run's summary — all from columns, never a rule per household.

Per-household rows are assembled from the columns (the non-zero cells of an
households × benefit matrix, the failed cells of households × conditions); nothing here
applies a rule to one household.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from services.eligibility.batch.entitlements import CURRENTLY_POOR, entitlements_batch
from services.eligibility.batch.exit import assess_exit_batch
from services.eligibility.batch.population import from_households
from services.eligibility.household import HouseholdFacts
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.rules import exit_conditions as cond

CONDITIONS = tuple(
    spec.code
    for spec in (
        cond.STABLE_INCOME, cond.FOOD_CLOTHING, cond.EDUCATION, cond.MEDICAL, cond.HOUSING,
        cond.WATER, cond.DIBAO, cond.EXPENDITURE, cond.HOLD,
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Invalid:
    """A household whose registry record cannot be assessed, with the facts named."""

    household_id: str
    village_code: str
    errors: list[dict[str, Any]]


def key(code: str, period: str, unit: str) -> str:
    return f"{code}/{period}/{unit}"


def hundredths(value: int) -> str:
    return f"{(Decimal(value) / 100).quantize(Decimal('0.01'))}"


def evaluate(
    households: list[HouseholdFacts], invalid: list[Invalid], year: int, params: ParameterSet
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "household_id": i.household_id,
            "village_code": i.village_code,
            "status": None,
            "members": None,
            "exit_applicable": None,
            "exit_eligible": None,
            "failing": [],
            "targeted": None,
            "yearly_fen": 0,
            "once_fen": 0,
            "amounts": {},
            "facts_errors": i.errors,
        }
        for i in invalid
    ]
    summary: dict[str, Any] = {
        "households": len(households) + len(invalid),
        "facts_invalid": len(invalid),
        "invalid_facts": dict(
            Counter(
                ".".join(str(p) for p in e["loc"] if not _is_id(p))
                for i in invalid
                for e in i.errors
            )
        ),
    }
    if not households:
        return rows, summary | {"persons": 0, "exit": _exit_summary(0, 0, {}), "entitlements": {}}
    pop = from_households(households)
    exits = assess_exit_batch(pop, year, params)
    columns = entitlements_batch(pop, year, params)
    n = pop.households
    everyone, owner = np.arange(n, dtype=np.int64), pop.person_household

    keys: dict[str, int] = {}
    sums: list[npt.NDArray[np.int64]] = []
    for lines, group in ((columns.household_lines, everyone), (columns.person_lines, owner)):
        for line in lines:
            k = key(line.code, line.period, line.unit)
            per_household = line.by_group(group, n)
            if k in keys:
                sums[keys[k]] = sums[keys[k]] + per_household
            else:
                keys[k] = len(sums)
                sums.append(per_household)
    names = list(keys)
    matrix = np.column_stack(sums) if sums else np.zeros((n, 0), dtype=np.int64)
    yuan_year = [j for j, k in enumerate(names) if k.endswith("/year/yuan")]
    yuan_once = [j for j, k in enumerate(names) if k.endswith("/once/yuan")]
    yearly = matrix[:, yuan_year].sum(axis=1) if yuan_year else np.zeros(n, dtype=np.int64)
    once = matrix[:, yuan_once].sum(axis=1) if yuan_once else np.zeros(n, dtype=np.int64)

    failed = np.column_stack([~exits.conditions[c] for c in CONDITIONS])
    applicable = np.isin(pop.status, CURRENTLY_POOR)
    amounts = _sparse_rows(matrix, names)
    failing = _sparse_rows(failed.astype(np.int64), list(CONDITIONS))
    for h in range(n):
        rows.append(
            {
                "household_id": pop.household_id[h],
                "village_code": pop.village_codes[int(pop.village[h])],
                "status": None if pop.status[h] < 0 else str(int(pop.status[h])),
                "members": int(pop.size[h]),
                "exit_applicable": bool(applicable[h]),
                "exit_eligible": bool(exits.eligible[h]),
                "failing": list(failing[h]),
                "targeted": bool(columns.targeted[h]),
                "yearly_fen": int(yearly[h]),
                "once_fen": int(once[h]),
                "amounts": amounts[h],
                "facts_errors": None,
            }
        )
    reasons = {c: int((applicable & failed[:, j]).sum()) for j, c in enumerate(CONDITIONS)}
    summary |= {
        "persons": int(pop.size.sum()),
        "exit": _exit_summary(
            int(applicable.sum()), int((applicable & exits.eligible).sum()), reasons
        ),
        "entitlements": _entitlement_summary(names, matrix, columns.targeted),
    }
    return rows, summary


def _is_id(part: object) -> bool:
    # Member ids are uuids in the error locations; the distribution counts the fact itself.
    return isinstance(part, str) and len(part) == 36 and part.count("-") == 4


def _sparse_rows(matrix: npt.NDArray[np.int64], names: list[str]) -> list[dict[str, int]]:
    """Each row's non-zero cells as {name: value}, from one nonzero() over the matrix."""
    found: list[dict[str, int]] = [{} for _ in range(matrix.shape[0])]
    rows, cols = np.nonzero(matrix)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        found[r][names[c]] = int(matrix[r, c])
    return found


def _exit_summary(candidates: int, passed: int, reasons: dict[str, int]) -> dict[str, Any]:
    return {
        "candidates": candidates,
        "passed": passed,
        "failed": candidates - passed,
        "failing_reasons": {c: n for c, n in reasons.items() if n},
    }


def _entitlement_summary(
    names: list[str], matrix: npt.NDArray[np.int64], targeted: npt.NDArray[np.bool_]
) -> dict[str, Any]:
    by_benefit = []
    totals: Counter[str] = Counter()
    for j, name in enumerate(names):
        total = int(matrix[:, j].sum())
        if total == 0:
            continue
        code, period, unit = name.split("/")
        by_benefit.append(
            {"code": code, "period": period, "unit": unit, "amount": hundredths(total),
             "households": int((matrix[:, j] > 0).sum())}
        )  # fmt: skip
        totals[f"{period}/{unit}"] += total
    return {
        "targeted_households": int(targeted.sum()),
        "by_benefit": sorted(by_benefit, key=lambda b: (b["code"], b["period"], b["unit"])),
        "totals": [
            {"period": k.split("/")[0], "unit": k.split("/")[1], "amount": hundredths(v)}
            for k, v in sorted(totals.items())
        ],
    }
