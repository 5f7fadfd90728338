"""One timed measurement in a fresh process (so peak memory is its own); prints one JSON line.

usage: python run_one.py anchor|batch|single N RUNS [ANCHOR_DIR]
  anchor : the OpenFisca anchor workload by our engine, on the anchor's synthetic arrays
  batch  : exit + every entitlement, column-wise, over our synthetic register
  single : the single-household path in a loop over the first RUNS households of the same
           register (RUNS is the sample size here); conversion to records timed apart
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from services.eligibility.batch.entitlements import entitlements_batch  # noqa: E402
from services.eligibility.batch.exit import assess_exit_batch  # noqa: E402
from services.eligibility.entitlements import entitlements  # noqa: E402
from services.eligibility.parameters.loader import default_parameters  # noqa: E402
from services.eligibility.parameters.model import ParameterRecord  # noqa: E402
from services.eligibility.rules.household_exit import assess_exit  # noqa: E402

YEAR = 2017
# The plan gives no 2016 rural CPI; exit in 2017 needs line(2016). Illustrative figure only.
CPI_2016 = ParameterRecord(
    name="cpi.rural",
    effective=date(2016, 1, 1),
    value=Decimal("102"),
    source="benchmark figure, not an official index",
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(run: Any, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return times


def main(kind: str, n: int, runs: int, anchor_dir: str | None) -> dict[str, Any]:
    params = default_parameters().with_record(CPI_2016)
    record: dict[str, Any] = {"kind": kind, "n_households": n}
    if kind == "anchor":
        assert anchor_dir
        sys.path.insert(0, anchor_dir)
        import anchor_engine
        import impl_numpy
        from params_plain import P2017
        from synth import generate as anchor_generate

        d = anchor_generate(n)
        record["n_persons"] = int(d["n_persons"])
        times = timed(lambda: anchor_engine.compute(d, params), runs)
        ours = anchor_engine.compute(d, params)
        record["crosscheck_vs_anchor_numpy"] = anchor_engine.crosscheck(
            ours, impl_numpy.compute(d, P2017), d
        )
    elif kind == "batch":
        import synthetic

        pop = synthetic.generate(n, YEAR)
        record["n_persons"] = len(pop.member_id)

        def run() -> None:
            assess_exit_batch(pop, YEAR, params)
            entitlements_batch(pop, YEAR, params)

        times = timed(run, runs)
    else:
        import synthetic

        pop = synthetic.generate(n, YEAR)
        sample = min(n, runs)
        t0 = time.perf_counter()
        households = synthetic.to_households(pop, list(range(sample)))
        record["conversion_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for household in households:
            assess_exit(household, YEAR, params)
            entitlements(household, YEAR, params)
        loop = time.perf_counter() - t0
        record.update(sample=sample, per_household_s=loop / sample)
        times = [loop / sample * n]  # extrapolated to all n households
    record.update(min_s=min(times), median_s=statistics.median(times), peak_rss_mb=peak_mb())
    return record


if __name__ == "__main__":
    anchor = sys.argv[4] if len(sys.argv) > 4 else None
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), anchor)))
