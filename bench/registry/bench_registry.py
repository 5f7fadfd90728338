"""Registry benchmark: prints, in one run, on a throwaway database,

(a) households imported per second from a 100 000-household flat file POSTed to the
    registry's /v1/imports (commit) on a real uvicorn process, next to PostgreSQL's own
    COPY of the same rows — target: import ≥ 1/3
    of COPY. The target is judged against binary COPY of exactly the rows the import
    committed (every table it writes, in FK order) into the registry's own indexed,
    constrained tables of a second fresh database; COPY of the CSV into a plain table of
    text columns is printed too, for information (it maintains no index or constraint);
(b) requests per second and p50/p99 latency of a household read (GET /v1/households/{id})
    and a filtered list (GET /v1/households?village_code=…&status=…) under concurrent load
    against a real uvicorn process on a real port, with the 100 000 households loaded, next
    to bare FastAPI endpoints served the same way under the same load (bare_app.py) —
    target ≥ 1/3. The target is judged against a bare endpoint doing the same read (the same
    SQL, the same pool), as the import's is against COPY of the same rows; a bare endpoint
    touching no database and one running only `SELECT 1` are printed too, for information
    (the second is the floor of any endpoint that reads PostgreSQL).

The database is a fresh one on the embedded PostgreSQL under .var/ (or on the server of
$YICHENG_DATABASE_URL, an admin URL), dropped at the end.

usage: .venv/bin/python bench/registry/bench_registry.py [--households 100000]
       [--concurrency 50] [--seconds 10] [--layout full|national]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


from bench.registry.load import free_port, hammer, start, stop  # noqa: E402
from services.registry.demo import generate_district, generate_households, write_households  # noqa: E402
from services.registry.demo.loader import load_demo_areas  # noqa: E402
from services.registry.main import MIGRATIONS  # noqa: E402
from services.registry.settings import RegistrySettings  # noqa: E402
from shared import migrations  # noqa: E402
from shared.auth import Role, TokenIssuer, load_or_create_signing_keys  # noqa: E402
from shared.db import make_engine, make_sessionmaker  # noqa: E402
from shared.embedded import drop_database, ensure_database, start_embedded, with_database  # noqa: E402


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://").replace(
        "postgresql+psycopg://", "postgresql://"
    )


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    admin = os.environ.get("YICHENG_DATABASE_URL") or start_embedded(REPO / ".var")
    name = f"bench_registry_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    try:
        yield with_database(admin, name)
    finally:
        drop_database(admin, name)


# --- (a) import vs COPY ------------------------------------------------------------------


@contextlib.asynccontextmanager
async def connect(url: str) -> AsyncIterator[Any]:
    import asyncpg

    conn = await asyncpg.connect(plain(url))
    try:
        yield conn
    finally:
        await conn.close()


async def copy_baseline(url: str, path: Path) -> float:
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    async with connect(url) as conn:
        columns = ", ".join(f"c{i} text" for i in range(len(header)))
        await conn.execute(f"CREATE TABLE flat_copy ({columns})")
        started = time.perf_counter()
        await conn.copy_to_table("flat_copy", source=str(path), format="csv", header=True)
        seconds = time.perf_counter() - started
        await conn.execute("DROP TABLE flat_copy")
        return seconds


# Every table the import writes, in foreign-key order; of the identity-keyed ones (which
# the areas write to as well), the import's rows are those above the highest id before it.
IMPORTED = (
    "household", "household_year", "member", "member_year", "quality_warning", "audit_log",
    "change",
)  # fmt: skip
NUMBERED = ("quality_warning", "audit_log", "change")


async def last_ids(url: str) -> dict[str, int]:
    async with connect(url) as conn:
        maxima = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {t}) AS {t}" for t in NUMBERED)  # noqa: S608
        return dict(await conn.fetchrow(f"SELECT {maxima}"))


async def _columns(conn: Any, table: str) -> list[str]:
    """All but identities: the sequence numbers the rows on COPY as on the import."""
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
        " AND is_identity = 'NO' ORDER BY ordinal_position",
        table,
    )
    return [r[0] for r in rows]


async def copy_into_registry(
    source: str, target: str, before: dict[str, int], folder: Path
) -> dict[str, float]:
    """Every row the import committed, dumped (binary COPY TO files), then binary COPY FROM
    into the target in one transaction: seconds per table and for the commit."""
    seconds: dict[str, float] = {}
    async with connect(source) as conn:
        columns = {t: await _columns(conn, t) for t in IMPORTED}
        for table in IMPORTED:
            where = f" WHERE id > {before[table]}" if table in before else ""
            query = f"SELECT {', '.join(columns[table])} FROM {table}{where}"  # noqa: S608
            await conn.copy_from_query(query, output=str(folder / table), format="binary")
    async with connect(target) as conn:
        transaction = conn.transaction()
        await transaction.start()
        for table in IMPORTED:
            started = time.perf_counter()
            await conn.copy_to_table(
                table, source=str(folder / table), columns=columns[table], format="binary"
            )
            seconds[table] = time.perf_counter() - started
        started = time.perf_counter()
        await transaction.commit()
        seconds["commit"] = time.perf_counter() - started
    return seconds


def registry_copy_baseline(url: str, before: dict[str, int], folder: Path) -> dict[str, float]:
    """The rows the import committed, COPYed into a second freshly migrated database with
    the same areas: same rows, same empty starting state, same machine."""
    with throwaway_database() as second:
        migrations.upgrade(MIGRATIONS, second)
        asyncio.run(load_areas_only(second))
        return asyncio.run(copy_into_registry(url, second, before, folder))


async def load_areas_only(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load_demo_areas(session, generate_district())
    finally:
        await engine.dispose()


async def timed_import(port: int, token: str, path: Path, layout: str) -> tuple[float, Any]:
    """The file POSTed to the running registry, as a provincial system would send it: the
    body streamed to the server, spooled and fingerprinted there, then imported (commit)."""
    import httpx

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                yield chunk

    # No timeout: the request lasts as long as the import it measures.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=None) as client:  # noqa: S113
        started = time.perf_counter()
        response = await client.post(
            "/v1/imports",
            params={"dry_run": "false", "layout": layout, "year": "2018"},
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
            content=chunks(),
        )
        seconds = time.perf_counter() - started
    response.raise_for_status()
    return seconds, response.json()


async def vacuum_analyze(url: str) -> None:
    async with connect(url) as conn:
        await conn.execute("VACUUM ANALYZE")


def print_import(
    n: int, report: Any, layout: str, text_copy: float, registry_copy: dict[str, float],
    import_seconds: float,
) -> None:  # fmt: skip
    copy_seconds = sum(registry_copy.values())
    persons = report["persons"]["created"]
    print(f"(a) import of {n} households, {persons} persons ({layout} CSV, POST /v1/imports)")
    print(f"    {'':36}{'seconds':>10}{'households/s':>16}")
    for name, seconds in (
        ("COPY into the registry tables", copy_seconds),
        *((f"  {table}", part) for table, part in registry_copy.items()),
        ("COPY of the CSV (text table)", text_copy),
        ("import over HTTP (commit)", import_seconds),
    ):
        rate = "" if name.startswith(" ") else f"{n / seconds:,.0f}"
        print(f"    {name:36}{seconds:>10.2f}{rate:>16}")
    print(f"    ratio import/COPY into the registry tables = {copy_seconds / import_seconds:.3f} (target ≥ 0.333)")  # fmt: skip
    print(f"    ratio import/COPY of the CSV (text table)  = {text_copy / import_seconds:.3f} (for information)")  # fmt: skip


# --- (b) HTTP under load ---------------------------------------------------------------------


async def sample(url: str) -> tuple[list[str], list[tuple[str, str]]]:
    import asyncpg

    conn = await asyncpg.connect(plain(url))
    try:
        ids = [str(r[0]) for r in await conn.fetch("SELECT id FROM household ORDER BY random() LIMIT 5000")]  # fmt: skip
        filters = [
            (r[0], r[1])
            for r in await conn.fetch(
                "SELECT village_code, status FROM household GROUP BY 1, 2 HAVING count(*) >= 5"
            )
        ]
        return ids, filters
    finally:
        await conn.close()


@contextlib.contextmanager
def registry_server(url: str, data_dir: Path) -> Iterator[tuple[int, str]]:
    """The registry as deployed: its own uvicorn process on a free port; (port, token)."""
    keys = load_or_create_signing_keys(data_dir / "keys" / "signing")
    settings = RegistrySettings(data_dir=data_dir)
    token = TokenIssuer(keys, settings.jwt_issuer, settings.jwt_audience, 3600).issue(
        "bench", Role.district_admin, "370404"
    )
    port = free_port()
    env = {
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_DATA_DIR": str(data_dir),
        "REGISTRY_PORT": str(port),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    process = start([sys.executable, "-m", "services.registry", "serve"], env, port)
    try:
        yield port, token
    finally:
        stop(process)


def http_benchmarks(
    url: str, registry: tuple[int, str], concurrency: int, seconds: float
) -> dict[str, Any]:
    """The registry's household read and filtered list, then the bare app's four endpoints
    (bare_app.py, its own process), each under the same load, one server at a time."""
    ids, filters = asyncio.run(sample(url))
    rng = random.Random(7)

    def one() -> str:
        return f"/v1/households/{rng.choice(ids)}"

    def listing() -> str:
        village, status = rng.choice(filters)
        return f"/v1/households?village_code={village}&status={status}"

    def run(port: int, headers: dict[str, str], loads: dict[str, Any]) -> dict[str, Any]:
        return {
            name: asyncio.run(hammer(port, paths, headers, concurrency, seconds))
            for name, paths in loads.items()
        }

    port, token = registry
    bearer = {"Authorization": f"Bearer {token}"}
    results = run(port, bearer, {"household read": one, "filtered list": listing})
    port = free_port()
    bare = start([sys.executable, str(Path(__file__).parent / "bare_app.py"), str(port), plain(url)], {}, port)  # fmt: skip
    try:
        results |= run(port, {}, {
            "bare: ping (no database)": lambda: "/v1/ping",
            "bare: ping + SELECT 1": lambda: "/v1/ping-db",
            "bare: household read": one,
            "bare: filtered list": listing,
        })  # fmt: skip
    finally:
        stop(bare)
    return results


def print_http(http: dict[str, Any], concurrency: int, seconds: float) -> None:
    print(f"(b) {concurrency} concurrent clients, {seconds:.0f} s each, uvicorn 1 worker")
    print(f"    {'':28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}{'÷ ping':>9}")
    ping = http["bare: ping (no database)"]["rps"]
    for name, r in http.items():
        print(
            f"    {name:28}{r['rps']:>9,.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
            f"{r['failures']:>8}{r['rps'] / ping:>9.3f}"
        )
    for kind in ("household read", "filtered list"):
        ratio = http[kind]["rps"] / http[f"bare: {kind}"]["rps"]
        print(f"    ratio {kind} ÷ bare FastAPI doing the same read = {ratio:.3f} (target ≥ 0.333)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--layout", choices=("full", "national"), default="full")
    args = parser.parse_args()
    with throwaway_database() as url, tempfile.TemporaryDirectory(prefix="yc-bench-") as tmp:
        folder = Path(tmp)
        migrations.upgrade(MIGRATIONS, url)
        asyncio.run(load_areas_only(url))
        path = folder / f"households-{args.households}.csv"
        print(f"writing {args.households} households ({args.layout} layout) …", flush=True)
        write_households(generate_households(args.households), path, layout=args.layout)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB; COPY …", flush=True)
        copy_seconds = asyncio.run(copy_baseline(url, path))
        before = asyncio.run(last_ids(url))
        with registry_server(url, folder) as registry:
            print("import (POST /v1/imports, commit) …", flush=True)
            import_seconds, report = asyncio.run(timed_import(*registry, path, args.layout))
            assert report["committed"], report
            assert report["households"]["created"] == args.households, report
            print("COPY of the imported rows into the registry's tables …", flush=True)
            registry_copy = registry_copy_baseline(url, before, folder)
            # What autovacuum does within a minute of a bulk load; measured apart from the import.
            asyncio.run(vacuum_analyze(url))
            print("HTTP load …", flush=True)
            http = http_benchmarks(url, registry, args.concurrency, args.seconds)
    print()
    print_import(args.households, report, args.layout, copy_seconds, registry_copy, import_seconds)
    print()
    print_http(http, args.concurrency, args.seconds)


if __name__ == "__main__":
    main()
