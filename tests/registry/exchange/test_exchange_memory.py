"""Streaming: memory stays flat however large the file (tracemalloc peaks).

The file of 100 000 households is about 50 MB on disk and would take several hundred MB
as Python objects; the readers and writers must stay within a megabyte or so.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.registry.demo import generate_households, write_households
from services.registry.exchange.formats import iter_csv, open_table, read_households, write_xlsx
from services.registry.exchange.layouts import FULL, NATIONAL, Layout, format_household
from services.registry.exchange.parsing import group_rows
from tests.registry.exchange.exchange_samples import household

MB = 1_000_000


def traced_peak(run: Callable[[], int]) -> tuple[int, int]:
    """(result of run, peak bytes allocated while it ran)."""
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def hundred_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "100000.csv"
    write_households(generate_households(100_000), path, layout="national")
    return path


def test_reading_100000_households_holds_one_household_at_a_time(hundred_thousand: Path) -> None:
    def run() -> int:
        with hundred_thousand.open("rb") as f:
            return sum(1 for _ in group_rows(open_table(f).rows))

    households, peak = traced_peak(run)
    assert households == 100_000
    assert hundred_thousand.stat().st_size > 40 * MB
    assert peak < 1 * MB


def test_parsing_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    peaks = {}
    for n in (1_000, 5_000):
        path = tmp_path / f"{n}.csv"
        write_households(generate_households(n, seed=7), path, layout="full")

        def run(path: Path = path) -> int:
            with path.open("rb") as f:
                return sum(1 for p in read_households(f) if p.household is not None)

        parsed, peaks[n] = traced_peak(run)
        assert parsed == n
    assert peaks[5_000] < peaks[1_000] + 200_000  # bounded caches only
    assert peaks[5_000] < 1 * MB


def synthetic_rows(n: int, layout: Layout = FULL) -> Iterator[list[str]]:
    """n distinct rows made from one household, cheap enough to trace the writer alone."""
    template = list(format_household(household(), layout))
    number = layout.headers.index("户编号")
    for i in range(n):
        row = template[i % 3][:]
        row[number] = f"H{i // 3:08d}"
        yield row


def test_csv_writer_holds_one_chunk() -> None:
    def run() -> int:
        return sum(len(chunk) for chunk in iter_csv(FULL.headers, synthetic_rows(100_000)))

    written, peak = traced_peak(run)
    assert written > 40 * MB
    assert peak < 1 * MB


def test_xlsx_writer_streams_rows(tmp_path: Path) -> None:
    peaks = {}
    for n in (400, 1_600):
        path = tmp_path / f"{n}.xlsx"

        def run(n: int = n, path: Path = path) -> int:
            write_xlsx(NATIONAL.headers, synthetic_rows(n, NATIONAL), path)
            return path.stat().st_size

        _, peaks[n] = traced_peak(run)
    assert peaks[1_600] < peaks[400] + 100_000
    assert peaks[1_600] < 1 * MB
