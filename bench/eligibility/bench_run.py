"""How long a batch run's own work takes, past the registry's stream: registry records →
facts (validated, in chunks), the column-wise evaluation, the per-household rows and the
summary. Prints one JSON line per size.

usage: python bench/eligibility/bench_run.py [N ...]   (default 1000 10000)
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.eligibility.parameters.loader import default_parameters
from services.eligibility.parameters.model import ParameterRecord
from services.eligibility.runs.evaluate import evaluate
from services.eligibility.runs.loader import Loaded, convert

YEAR = 2019
CPI = [(2018, "101.5"), (2019, "102")]  # illustrative figures, not official indices


def _member(rng: random.Random, head: bool) -> dict[str, Any]:
    born = date(1920, 1, 1) + timedelta(days=rng.randrange(0, 36500))
    disabled = rng.random() < 0.08
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "sex": rng.choice(("male", "female")),
        "birth_date": born.isoformat(),
        "left_on": None,
        "year": {
            "year": YEAR,
            "school_status": rng.choice(("not_in_school", "primary", "grade8", "senior2", None)),
            "dropout_for_poverty": rng.random() < 0.01,
            "health": ["disabled"] if disabled else rng.choice((["healthy"], ["chronic"], [])),
            "disability_grade": rng.randint(1, 4) if disabled else None,
            "basic_medical_insured": rng.random() < 0.97,
            "critical_illness_insured": True,
            "commercial_insured": False,
            "pension_insured": rng.random() < 0.5,
            "dibao": rng.random() < 0.15,
            "tekun": rng.random() < 0.03,
        },
    }


def record(rng: random.Random, village: int) -> dict[str, Any]:
    size = rng.choice((1, 2, 2, 3, 3, 4, 5))
    exited = rng.random() < 0.6
    money = lambda high: f"{Decimal(rng.randrange(0, high * 100)) / 100:.2f}"  # noqa: E731
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "village_code": f"370404104{village:03d}",
        "town_code": "370404104",
        "status": rng.choice(("exited_supported", "exited_unsupported")) if exited else "not_exited",
        "exit_year": rng.choice((2016, 2017, 2018)) if exited else None,
        "assistance_type": rng.choice(("general", "general", "dibao", "tekun", "dibao_tekun")),
        "exit_hold_reason": None,
        "year": {
            "year": YEAR,
            "wage_income": money(12000), "operating_income": money(4000),
            "property_income": "0.00", "family_planning_income": "0.00",
            "dibao_income": money(2000), "tekun_income": "0.00", "pension_income": money(1500),
            "ecological_income": "0.00", "other_transfer_income": "0.00",
            "operating_expenses": money(800), "one_off_income": "0.00",
            "house_grade": rng.choice((None, None, None, "B", "C", "D")),
            "drinking_water_safe": rng.random() < 0.97, "drinking_water_difficult": False,
            "relocation": False, "relocated_moved_in": False,
            "food_secure": True, "clothing_secure": True, "expenditure_poverty": rng.random() < 0.02,
        },
        "members": [_member(rng, i == 0) for i in range(size)],
        "departed_members": [],
    }  # fmt: skip


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    params = default_parameters()
    for year, index in CPI:
        params = params.with_record(
            ParameterRecord(
                name="cpi.rural", effective=date(year, 1, 1), value=Decimal(index), source="bench"
            )
        )
    for n in sizes:
        rng = random.Random(n)
        records = [record(rng, i % 345) for i in range(n)]
        started = time.perf_counter()
        loaded = Loaded()
        for first in range(0, n, 1000):
            convert(records[first : first + 1000], YEAR, loaded)
        converted = time.perf_counter()
        rows, summary = evaluate(loaded.households, loaded.invalid, YEAR, params)
        done = time.perf_counter()
        print(
            json.dumps(
                {
                    "households": n,
                    "invalid": len(loaded.invalid),
                    "persons": summary.get("persons"),
                    "records_to_facts_s": round(converted - started, 3),
                    "evaluate_and_rows_s": round(done - converted, 3),
                    "rows": len(rows),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
