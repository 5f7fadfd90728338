"""Registry benchmark: prints, in one run, on a throwaway database,

(a) households imported per second from a 100 000-household flat file through the import
    service (commit), next to PostgreSQL's own COPY of the same CSV rows into a plain table
    of text columns — target: import ≥ 1/3 of COPY;
(b) requests per second and p50/p99 latency of a household read (GET /v1/households/{id})
    and a filtered list (GET /v1/households?village_code=…&status=…) under concurrent load
    against a real uvicorn process on a real port, with the 100 000 households loaded, next
    to a bare FastAPI endpoint served the same way under the same load — target ≥ 1/3.

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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from services.registry.demo import generate_district, generate_households, write_households  # noqa: E402
from services.registry.demo.loader import load_demo_areas  # noqa: E402
from services.registry.exchange.importer import ImportOptions, import_file  # noqa: E402
from services.registry.exchange.schemas import LayoutChoice  # noqa: E402
from services.registry.main import MIGRATIONS  # noqa: E402
from services.registry.settings import RegistrySettings  # noqa: E402
from shared import migrations  # noqa: E402
from shared.auth import Principal, Role, TokenIssuer, load_or_create_signing_keys  # noqa: E402
from shared.db import make_engine, make_sessionmaker  # noqa: E402
from shared.embedded import drop_database, ensure_database, start_embedded, with_database  # noqa: E402
from shared.idcard import IdCipher  # noqa: E402

BENCH_ACTOR = Principal("bench", Role.district_admin, "370404")


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


async def copy_baseline(url: str, path: Path) -> float:
    import asyncpg

    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    conn = await asyncpg.connect(plain(url))
    try:
        columns = ", ".join(f"c{i} text" for i in range(len(header)))
        await conn.execute(f"CREATE TABLE flat_copy ({columns})")
        started = time.perf_counter()
        await conn.copy_to_table("flat_copy", source=str(path), format="csv", header=True)
        seconds = time.perf_counter() - started
        await conn.execute("DROP TABLE flat_copy")
        return seconds
    finally:
        await conn.close()


async def load_areas_only(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load_demo_areas(session, generate_district())
    finally:
        await engine.dispose()


async def timed_import(url: str, path: Path, cipher: IdCipher, layout: str) -> tuple[float, Any]:
    engine = make_engine(url, pool_size=1)
    try:
        started = time.perf_counter()
        session: AsyncSession
        async with make_sessionmaker(engine)() as session, session.begin():
            with path.open("rb") as f:
                report = await import_file(
                    session,
                    BENCH_ACTOR,
                    cipher,
                    f,
                    ImportOptions(
                        dry_run=False, layout=LayoutChoice(layout), year=2018, filename=path.name
                    ),
                )
        return time.perf_counter() - started, report
    finally:
        await engine.dispose()


async def vacuum_analyze(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(plain(url))
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


# --- (b) HTTP under load ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{cmd} exited with {process.returncode}")
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            if response.status_code in (200, 404):
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"{cmd} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


async def _one_client(
    port: int, paths: Callable[[], str], headers: dict[str, str], until: float,
    latencies: list[float] | None,
) -> int:  # fmt: skip
    """One keep-alive HTTP/1.1 connection sending GETs back to back; returns failures.

    A bare asyncio client: httpx's own per-request cost (≈10 ms under 50 connections here)
    would be measured instead of the servers'.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    failures = 0
    try:
        while time.perf_counter() < until:
            request = f"GET {paths()} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if head[9:12] != b"200":
                failures += 1
            elif latencies is not None:
                latencies.append(time.perf_counter() - started)
    finally:
        writer.close()
    return failures


async def hammer(
    port: int, paths: Callable[[], str], headers: dict[str, str], concurrency: int, seconds: float
) -> dict[str, float]:
    """`concurrency` clients in a loop for `seconds` (after a 2 s warm-up)."""
    warm = time.perf_counter() + 2
    await asyncio.gather(
        *(_one_client(port, paths, headers, warm, None) for _ in range(concurrency))
    )
    latencies: list[float] = []
    began = time.perf_counter()
    failures = await asyncio.gather(
        *(_one_client(port, paths, headers, began + seconds, latencies) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "failures": sum(failures),
    }


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


def http_benchmarks(url: str, data_dir: Path, concurrency: int, seconds: float) -> dict[str, Any]:
    keys = load_or_create_signing_keys(data_dir / "keys" / "signing")
    settings = RegistrySettings(data_dir=data_dir)
    token = TokenIssuer(keys, settings.jwt_issuer, settings.jwt_audience, 3600).issue(
        "bench", Role.district_admin, "370404"
    )
    headers = {"Authorization": f"Bearer {token}"}
    ids, filters = asyncio.run(sample(url))
    rng = random.Random(7)
    results: dict[str, Any] = {}
    port = free_port()
    env = {
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_DATA_DIR": str(data_dir),
        "REGISTRY_PORT": str(port),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    server = start([sys.executable, "-m", "services.registry", "serve"], env, port)
    try:
        results["household read"] = asyncio.run(
            hammer(port, lambda: f"/v1/households/{rng.choice(ids)}", headers, concurrency, seconds)
        )

        def listing() -> str:
            village, status = rng.choice(filters)
            return f"/v1/households?village_code={village}&status={status}"

        results["filtered list"] = asyncio.run(hammer(port, listing, headers, concurrency, seconds))
    finally:
        stop(server)
    port = free_port()
    bare = start([sys.executable, str(Path(__file__).parent / "bare_app.py"), str(port)], {}, port)
    try:
        results["bare FastAPI"] = asyncio.run(
            hammer(port, lambda: "/v1/ping", {}, concurrency, seconds)
        )
    finally:
        stop(bare)
    return results


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
        print("import (commit) …", flush=True)
        encryption_key, lookup_key = RegistrySettings(data_dir=folder).id_keys()
        cipher = IdCipher({1: encryption_key}, 1, lookup_key)
        import_seconds, report = asyncio.run(timed_import(url, path, cipher, args.layout))
        assert report.committed and report.households.created == args.households, report
        # What autovacuum does within a minute of a bulk load; measured apart from the import.
        asyncio.run(vacuum_analyze(url))
        print("HTTP load …", flush=True)
        http = http_benchmarks(url, folder, args.concurrency, args.seconds)
    n = args.households
    copy_rate, import_rate = n / copy_seconds, n / import_seconds
    print()
    print(f"(a) import of {n} households, {report.persons.created} persons ({args.layout} CSV)")
    print(f"    {'':28}{'seconds':>10}{'households/s':>16}")
    print(f"    {'PostgreSQL COPY (text)':28}{copy_seconds:>10.2f}{copy_rate:>16,.0f}")
    print(f"    {'import service (commit)':28}{import_seconds:>10.2f}{import_rate:>16,.0f}")
    print(f"    ratio import/COPY = {import_rate / copy_rate:.3f} (target ≥ 0.333)")
    print()
    print(f"(b) {args.concurrency} concurrent clients, {args.seconds:.0f} s each, uvicorn 1 worker")
    print(f"    {'':20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'ratio':>8}{'failed':>8}")
    bare = http["bare FastAPI"]["rps"]
    for name, r in http.items():
        print(
            f"    {name:20}{r['rps']:>10,.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}"
            f"{r['rps'] / bare:>8.3f}{r['failures']:>8}"
        )
    print("    (ratio = req/s ÷ bare FastAPI's; target ≥ 0.333)")


if __name__ == "__main__":
    main()
