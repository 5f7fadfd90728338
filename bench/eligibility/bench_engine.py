"""Eligibility engine benchmark: prints, in one run,

1. the OpenFisca anchor workload (per-capita income, simplified exit, critical-illness payout
   over the anchor's synthetic population) by our engine vs OpenFisca (and the anchor's own
   plain-numpy version) on the same arrays — target ≥ 10× OpenFisca at 1 000 000 households;
2. the full batch (exit + every entitlement) vs the single-household path in a loop — target
   ≥ 30×; the loop is timed on a sample and extrapolated per household;
3. peak memory (max RSS) of each, every measurement in its own fresh process.

OpenFisca lives in a separate virtualenv (never in the project's .venv), created on first use
under $ELIGIBILITY_BENCH_DIR (default /tmp/yicheng-bench). The anchor is read from
$ELIGIBILITY_ANCHOR_DIR (default /work/shared/bench-anchors/openfisca); without it the anchor
part is skipped and the script says so.

usage: .venv/bin/python bench/eligibility/bench_engine.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ANCHOR = Path(os.environ.get("ELIGIBILITY_ANCHOR_DIR", "/work/shared/bench-anchors/openfisca"))
WORK = Path(os.environ.get("ELIGIBILITY_BENCH_DIR", Path(tempfile.gettempdir()) / "yicheng-bench"))


def ours(kind: str, n: int, runs: int, anchor: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / "run_one.py"), kind, str(n), str(runs)]
    if anchor is not None:
        cmd.append(str(anchor))
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def openfisca_python() -> Path | None:
    python = WORK / "openfisca-venv" / "bin" / "python"
    if not python.exists():
        print(f"creating the OpenFisca virtualenv in {python.parents[1]} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(python.parents[1])], check=True)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "openfisca-core", "numpy", "psutil"],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0:
            print("could not install openfisca-core; OpenFisca columns skipped:", install.stderr)
            return None
    return python


def reference(python: Path, anchor: Path, impl: str, n: int, runs: int) -> dict[str, Any]:
    out_file = WORK / "out" / f"{impl}_{n}.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(python), "bench_one.py", impl, str(n), str(runs), str(out_file)],
        cwd=anchor,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out_file.read_text()))


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |")


def anchor_part(sizes: list[int], runs: int) -> None:
    print("\n## Anchor workload: our engine vs OpenFisca (same synthetic arrays, year 2017)\n")
    if not (ANCHOR / "synth.py").exists():
        print(f"anchor not found at {ANCHOR} (/work/shared absent?): anchor comparison skipped")
        return
    anchor = WORK / "anchor"
    shutil.rmtree(anchor, ignore_errors=True)
    shutil.copytree(ANCHOR, anchor)
    python = openfisca_python()
    row(
        "households",
        "persons",
        "ours min / median",
        "OpenFisca min / median",
        "× OpenFisca",
        "anchor numpy min",
        "peak RSS ours / OpenFisca",
        "crosscheck vs anchor numpy",
    )
    row(*["---"] * 8)
    for n in sizes:
        mine = ours("anchor", n, runs, anchor)
        ref = reference(python, anchor, "openfisca", n, runs) if python else None
        plain = reference(python, anchor, "numpy", n, runs) if python else None
        row(
            f"{n:,}",
            f"{mine['n_persons']:,}",
            f"{fmt(mine['min_s'])} / {fmt(mine['median_s'])}",
            f"{fmt(ref['min_s'])} / {fmt(ref['median_s'])}" if ref else "—",
            f"{ref['min_s'] / mine['min_s']:.1f}×" if ref else "—",
            fmt(plain["min_s"]) if plain else "—",
            f"{mine['peak_rss_mb']:.0f} / {ref['peak_rss_mb']:.0f} MB" if ref else "—",
            json.dumps(mine["crosscheck_vs_anchor_numpy"]),
        )


def batch_part(sizes: list[int], runs: int, sample: int) -> None:
    print("\n## Full batch (exit + every entitlement) vs single-household path in a loop\n")
    row(
        "households",
        "persons",
        "batch min / median",
        "single path (extrapolated)",
        "× single",
        "peak RSS batch / single",
    )
    row(*["---"] * 6)
    for n in sizes:
        batch = ours("batch", n, runs)
        single = ours("single", n, sample)
        per = single["per_household_s"] * 1000
        row(
            f"{n:,}",
            f"{batch['n_persons']:,}",
            f"{fmt(batch['min_s'])} / {fmt(batch['median_s'])}",
            f"{fmt(single['min_s'])} ({per:.2f} ms/household × {n:,}; sample {single['sample']:,})",
            f"{single['min_s'] / batch['min_s']:.0f}×",
            f"{batch['peak_rss_mb']:.0f} / {single['peak_rss_mb']:.0f} MB",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="households in the single loop")
    args = parser.parse_args()
    anchor_part(args.sizes, args.runs)
    batch_part(args.sizes, args.runs, args.sample)


if __name__ == "__main__":
    main()
