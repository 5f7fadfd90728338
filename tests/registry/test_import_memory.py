"""Streaming of the import as a whole: its memory does not grow with the file.

tests/registry/exchange/test_exchange_memory.py traces the readers and the parser alone.
Here tracemalloc traces all of `importer.import_file` (parse ahead in a worker thread,
merge each batch with the stored rows, COPY into the staging tables, write early, check
across the file, write set-based), called directly on a CSV and an XLSX file, and
POST /v1/imports, whose app runs in-process under the test client (httpx's ASGI
transport), so the server side — spooling the body, then importing it — is traced too.

Each case imports a file 4× as large as another, with `importer.BATCH` small so that both
run many batches (at least 8). tracemalloc sees Python's allocations only, which is what
matters: the staged rows live in PostgreSQL. Holding the file would show: held as parsed
households it takes ≈3.4 kB each from a CSV (≈4 kB from XLSX), so the extra households of
the larger file alone would add ≈4 MB (CSV, 1 200 more) or ≈1.9 MB (XLSX, 480 more) to a
peak that is ≈1.3–2 MB, and staged rows (ciphertexts, hashes, every column) more still.

Measured on this machine (several runs of each case), the larger file's peak is 1.02–1.23×
the smaller one's (≈1.35–1.9 MB). What grows a little is CPython's free lists (up to 2 000
freed tuples of each small size kept for reuse, which a longer run fills further: bounded
by CPython, not by the file; at 16× the households instead of 4× they alone reach 1.5×),
the batch parsed ahead and the collector's timing. A warm-up import (dry run and commit)
runs first so that first-use caches and most of the free lists fall outside the
comparison; `gc.collect()` before measuring would empty the free lists and widen the gap.
`GROWTH` = 1.5 leaves room for that, while an import that holds the file fails: keeping
every parsed household or every staged row puts the peaks 1.9–3.1× apart, keeping the
uploaded body in memory instead of spooling it to disk 1.6×.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.exchange import importer, uploads
from services.registry.exchange.importer import ImportOptions, import_file
from services.registry.exchange.records import ExchangeHousehold
from shared.auth import DISTRICT_CODE, Principal, Role
from shared.idcard import IdCipher
from tests.registry.factories import TokenFactory, row_counts
from tests.registry.test_exchange_support import demo_villages, file_bytes, households

ADMIN = Principal("memory-test", Role.district_admin, DISTRICT_CODE)
GROWTH = 1.5  # the larger file's peak / the smaller's: see the module's docstring
# CSV: 8 and 32 batches of 50. XLSX is read ≈4× slower under tracemalloc (openpyxl), so
# smaller files with smaller batches: 8 and 32 batches of 20.
CSV_BATCH, CSV_SIZES = 50, (50, 400, 1600)  # warm-up, smaller, larger
XLSX_BATCH, XLSX_SIZES = 20, (20, 160, 640)
# An upload reaches a server in pieces (≤64 KiB per read of the socket). Given `bytes`, the
# test client passes that very object as one ASGI message: allocated before tracing, a
# server keeping it would not show. Sent in pieces, each piece the server gets is traced.
CHUNK = 64 * 1024

Run = Callable[[], Awaitable[dict[str, Any]]]


@pytest.fixture(scope="module")
def generated() -> list[ExchangeHousehold]:
    """Distinct households, cut into distinct files: every import creates all of its own."""
    return households(sum(CSV_SIZES))


def cut(items: list[ExchangeHousehold], sizes: tuple[int, ...]) -> list[list[ExchangeHousehold]]:
    parts, start = [], 0
    for n in sizes:
        parts.append(items[start : start + n])
        start += n
    return parts


async def traced_peak(run: Run) -> tuple[dict[str, Any], int]:
    """(the import's report, peak bytes allocated by Python while it ran, in any thread)."""
    tracemalloc.start()
    try:
        report = await run()
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def measured(
    session: AsyncSession, items: list[ExchangeHousehold], run: Run, *, dry_run: bool
) -> int:
    """The peak of one import of `items`, checking that it imported (or, dry, wrote) all."""
    before = await row_counts(session)
    report, peak = await traced_peak(run)
    after = await row_counts(session)
    assert report["errors_total"] == 0, report["errors"][:3]
    assert report["households"]["created"] == len(items)
    assert report["committed"] is not dry_run
    if dry_run:
        assert after == before
    else:
        members = sum(len(h.members) for h in items)
        grown = {table: after[table] - before[table] for table in after}
        assert grown == {
            "household": len(items),
            "household_year": len(items),
            "member": members,
            "member_year": members,
            "quality_warning": grown["quality_warning"],  # as the generated data has them
            "audit_log": len(items) + 1,  # each household, and the import
            "change": len(items),
            "idempotency_key": 0,
        }
    return peak


def assert_flat(peaks: dict[str, int], label: str) -> None:
    small, large = peaks["smaller"], peaks["larger"]
    assert large < GROWTH * small, (
        f"{label}: the peak grows with the file: {large:,} B for 4× the households "
        f"against {small:,} B ({large / small:.2f}×, at most {GROWTH}× allowed)"
    )


def direct(session: AsyncSession, cipher: IdCipher, path: Path, *, dry_run: bool) -> Run:
    async def run() -> dict[str, Any]:
        with path.open("rb") as f:
            options = ImportOptions(dry_run=dry_run, filename=path.name)
            report = await import_file(session, ADMIN, cipher, f, options)
        return report.model_dump(mode="json")

    return run


async def import_files(
    session: AsyncSession,
    tmp_path: Path,
    items: list[ExchangeHousehold],
    sizes: tuple[int, ...],
    fmt: Literal["csv", "xlsx"],
) -> dict[str, int]:
    await demo_villages(session)
    cipher = IdCipher({1: b"k" * 32}, 1, b"l" * 32)
    warm, smaller, larger = cut(items, sizes)
    paths = {}
    for name, part in (("warm", warm), ("smaller", smaller), ("larger", larger)):
        paths[name] = tmp_path / f"{name}.{fmt}"
        paths[name].write_bytes(file_bytes(part, fmt=fmt))
    for dry_run in (True, False):  # first-use caches
        await direct(session, cipher, paths["warm"], dry_run=dry_run)()
    peaks = {}
    for dry_run in (True, False):
        mode = "dry run" if dry_run else "commit"
        for name, part in (("smaller", smaller), ("larger", larger)):
            run = direct(session, cipher, paths[name], dry_run=dry_run)
            peaks[f"{mode} {name}"] = await measured(session, part, run, dry_run=dry_run)
    return peaks


def by_mode(peaks: dict[str, int], mode: str) -> dict[str, int]:
    return {size: peaks[f"{mode} {size}"] for size in ("smaller", "larger")}


async def test_importing_csv_holds_a_batch_not_the_file(
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    generated: list[ExchangeHousehold],
) -> None:
    monkeypatch.setattr(importer, "BATCH", CSV_BATCH)
    peaks = await import_files(session, tmp_path, generated, CSV_SIZES, "csv")
    for mode in ("dry run", "commit"):
        assert_flat(by_mode(peaks, mode), f"CSV {mode}")


async def test_importing_xlsx_holds_a_batch_not_the_file(
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    generated: list[ExchangeHousehold],
) -> None:
    monkeypatch.setattr(importer, "BATCH", XLSX_BATCH)
    peaks = await import_files(session, tmp_path, generated, XLSX_SIZES, "xlsx")
    for mode in ("dry run", "commit"):
        assert_flat(by_mode(peaks, mode), f"XLSX {mode}")


async def _pieces(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def posted(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes, *, dry_run: bool
) -> Run:
    """POST /v1/imports with the CSV as the raw body (as `upload` sends it), in pieces."""

    async def run() -> dict[str, Any]:
        response = await client.post(
            "/v1/imports",
            params={"dry_run": str(dry_run).lower()},
            headers={**headers, "Content-Type": "text/csv"},
            content=_pieces(body),
        )
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report

    return run


async def test_uploading_spools_the_body_and_holds_a_batch(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    generated: list[ExchangeHousehold],
) -> None:
    await demo_villages(session)
    monkeypatch.setattr(importer, "BATCH", CSV_BATCH)
    # The spool keeps its first MiB in memory by design, a constant; scaled down like the
    # batch, so that both bodies (≈0.34 and ≈1.4 MB) go to disk and compare alike.
    monkeypatch.setattr(uploads, "SPOOL_IN_MEMORY", CHUNK)
    warm, smaller, larger = cut(generated, CSV_SIZES)
    bodies = {"smaller": file_bytes(smaller), "larger": file_bytes(larger)}
    assert len(bodies["smaller"]) > 4 * uploads.SPOOL_IN_MEMORY
    headers = auth()
    for dry_run in (True, False):  # first-use caches
        await posted(client, headers, file_bytes(warm), dry_run=dry_run)()
    peaks = {}
    for dry_run in (True, False):
        mode = "dry run" if dry_run else "commit"
        for name, part in (("smaller", smaller), ("larger", larger)):
            run = posted(client, headers, bodies[name], dry_run=dry_run)
            peaks[f"{mode} {name}"] = await measured(session, part, run, dry_run=dry_run)
    for mode in ("dry run", "commit"):
        assert_flat(by_mode(peaks, mode), f"POST /v1/imports {mode}")
