"""Reporting benchmark: a province-sized register (100 districts' worth, about 1 000 000
registered households), real uvicorn processes for the registry and reporting services on
real ports, and in one run the p50/p99 latency of the rolling-plan and causes reports
through the reporting service, next to the same aggregation as one direct SQL query.
Target: the report within 3× of the direct query.

Two direct queries are timed for each report:
- "same SQL": the aggregation the registry's `GET /v1/stats/households` runs for the
  report (households ⟕ current members, count(DISTINCT household) per group) — the ratio
  against it is the cost of the service path itself (HTTP hops, JSON, the report);
- "tuned SQL": the same figures with members pre-counted per household (no DISTINCT,
  parallel-aggregatable) — the ratio against it says what a better registry query would gain.

Snapshots are off the path (`snapshot_fresh_seconds` = 0): every report asks the registry.
The registry database is generated once (`--keep` keeps it for the next run, which then
reuses it if it holds the same number of households).

usage: .venv/bin/python bench/reporting/bench_reports.py [--households 1000000] [--runs 30]
       [--keep]   (YICHENG_BENCH_DATABASE_URL: an admin URL; default the embedded server)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(HERE)]

from province import populate  # noqa: E402

from services.registry.demo import generate_district  # noqa: E402
from services.registry.demo.loader import load_demo_areas  # noqa: E402
from services.registry.main import MIGRATIONS as REGISTRY_MIGRATIONS  # noqa: E402
from shared import migrations  # noqa: E402
from shared.auth import Role, TokenIssuer, load_or_create_signing_keys  # noqa: E402
from shared.db import make_engine, make_sessionmaker  # noqa: E402
from shared.embedded import (  # noqa: E402
    _psycopg_conninfo,
    drop_database,
    ensure_database,
    start_embedded,
    with_database,
)

REGISTRY_DB, REPORTING_DB = "bench_reporting_registry", "bench_reporting"
ROLLING_DIMENSIONS = (
    "h.town_code, h.identification_year, h.identification_standard, h.exit_year, h.status"
)
CAUSES_DIMENSIONS = "h.town_code, h.main_cause"


def same_sql(dimensions: str) -> str:
    """What the registry's household stats run: households ⟕ current members, DISTINCT."""
    return f"""
        SELECT {dimensions}, count(DISTINCT h.id) AS households, count(m.id) AS persons,
               count(DISTINCT h.id) FILTER (WHERE h.status NOT IN ('exited_supported',
                   'exited_unsupported')) AS not_exited_households,
               count(m.id) FILTER (WHERE h.status NOT IN ('exited_supported',
                   'exited_unsupported')) AS not_exited_persons
        FROM household AS h
        LEFT JOIN member AS m ON m.household_id = h.id AND m.left_on IS NULL
        WHERE h.town_code LIKE '370404%'
        GROUP BY {dimensions} ORDER BY {dimensions}"""  # noqa: S608 - constants only


def tuned_sql(dimensions: str) -> str:
    """The same figures, members counted per household first (no DISTINCT needed)."""
    return f"""
        SELECT {dimensions}, count(*) AS households, coalesce(sum(m.n), 0) AS persons,
               count(*) FILTER (WHERE h.status NOT IN ('exited_supported',
                   'exited_unsupported')) AS not_exited_households,
               coalesce(sum(m.n) FILTER (WHERE h.status NOT IN ('exited_supported',
                   'exited_unsupported')), 0) AS not_exited_persons
        FROM household AS h
        LEFT JOIN (SELECT household_id, count(*) AS n FROM member WHERE left_on IS NULL
                   GROUP BY household_id) AS m ON m.household_id = h.id
        WHERE h.town_code LIKE '370404%'
        GROUP BY {dimensions} ORDER BY {dimensions}"""  # noqa: S608 - constants only


def prepare_registry(admin: str, households: int, keep: bool) -> str:
    url = with_database(admin, REGISTRY_DB)
    if keep:
        ensure_database(admin, REGISTRY_DB)
        try:
            with psycopg.connect(_psycopg_conninfo(url)) as conn:
                row = conn.execute("SELECT count(*) FROM household").fetchone()
            if row is not None and row[0] == households:
                print(f"reusing {REGISTRY_DB} with {households:,} households", flush=True)
                return url
        except psycopg.Error:
            pass
    drop_database(admin, REGISTRY_DB)
    ensure_database(admin, REGISTRY_DB)
    migrations.upgrade(REGISTRY_MIGRATIONS, url)

    async def areas() -> None:
        engine = make_engine(url, pool_size=1)
        async with make_sessionmaker(engine)() as session, session.begin():
            await load_demo_areas(session, generate_district())
        await engine.dispose()

    asyncio.run(areas())
    print(f"generating {households:,} households …", flush=True)
    made = populate(_psycopg_conninfo(url), households)
    print(
        f"  {made['households']:,.0f} households, {made['members']:,.0f} members "
        f"in {made['seconds']:.0f} s",
        flush=True,
    )
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(service: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", f"services.{service}", "serve"],
            env={**os.environ, **env},
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_ready(url: str, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{name} exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit(f"{name} did not become ready")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
    return statistics.median(ordered), p99


def timed(call: Callable[[], None], runs: int, warmup: int = 2) -> tuple[float, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the databases")
    args = parser.parse_args()

    admin = os.environ.get("YICHENG_BENCH_DATABASE_URL") or start_embedded(REPO / ".var")
    registry_db = prepare_registry(admin, args.households, args.keep)
    drop_database(admin, REPORTING_DB)
    ensure_database(admin, REPORTING_DB)
    work = Path(tempfile.mkdtemp(prefix="bench-reporting-"))
    keys = load_or_create_signing_keys(work / "keys" / "signing")
    issuer = TokenIssuer(keys, "yicheng-registry", "yicheng")
    token = issuer.issue("bench@370404", Role.district_admin, "370404")

    registry_port, reporting_port = free_port(), free_port()
    registry_url = f"http://127.0.0.1:{registry_port}"
    reporting_url = f"http://127.0.0.1:{reporting_port}"
    registry = start("registry", {
        "REGISTRY_DATABASE_URL": registry_db, "REGISTRY_DATA_DIR": str(work),
        "REGISTRY_HOST": "127.0.0.1", "REGISTRY_PORT": str(registry_port),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }, work / "registry.log")  # fmt: skip
    reporting = start("reporting", {
        "REPORTING_DATABASE_URL": with_database(admin, REPORTING_DB),
        "REPORTING_DATA_DIR": str(work), "REPORTING_HOST": "127.0.0.1",
        "REPORTING_PORT": str(reporting_port), "REPORTING_LOG_LEVEL": "WARNING",
        "REPORTING_REGISTRY_URL": registry_url, "REPORTING_FUNDS_URL": "http://127.0.0.1:9",
        "REPORTING_JWKS_URL": f"{registry_url}/.well-known/jwks.json",
        # A province's aggregate takes seconds: give it room, measure it, never cut it off.
        "REPORTING_UPSTREAM_TIMEOUT_SECONDS": "120", "REPORTING_UPSTREAM_DEADLINE_SECONDS": "300",
        "REPORTING_SNAPSHOT_FRESH_SECONDS": "0",
    }, work / "reporting.log")  # fmt: skip
    results: list[tuple[str, tuple[float, float], tuple[float, float], tuple[float, float]]] = []
    try:
        wait_ready(registry_url, registry, "registry")
        wait_ready(reporting_url, reporting, "reporting")
        with (
            httpx.Client(base_url=reporting_url, timeout=600) as client,
            psycopg.connect(_psycopg_conninfo(registry_db), autocommit=True) as conn,
        ):
            for report, params, dimensions in (
                ("rolling-plan", {}, ROLLING_DIMENSIONS),
                ("causes", {}, CAUSES_DIMENSIONS),
            ):

                def through_reporting(
                    report: str = report, params: dict[str, str] = params
                ) -> None:
                    response = client.get(
                        f"/v1/reports/{report}", params=params,
                        headers={"Authorization": f"Bearer {token}"},
                    )  # fmt: skip
                    body = response.json()
                    assert response.status_code == 200, response.text
                    assert not body["partial"], body["sources"]
                    assert body["sources"]["registry"]["state"] == "fresh", body["sources"]

                def direct(sql: str) -> Callable[[], None]:
                    return lambda: conn.execute(sql).fetchall() and None

                print(f"timing {report} ({args.runs} runs each) …", flush=True)
                via = timed(through_reporting, args.runs)
                same = timed(direct(same_sql(dimensions)), args.runs)
                tuned = timed(direct(tuned_sql(dimensions)), args.runs)
                results.append((report, via, same, tuned))
    finally:
        for process in (reporting, registry):
            process.terminate()
        for process in (reporting, registry):
            process.wait(timeout=30)
        drop_database(admin, REPORTING_DB)
        if not args.keep:
            drop_database(admin, REGISTRY_DB)

    print(f"\n{args.households:,} households, {args.runs} runs per figure, {os.cpu_count()} CPUs, "
          "PostgreSQL, registry and reporting on one machine\n")  # fmt: skip
    header = (f"{'report':<13} {'via reporting p50/p99':>22} {'same SQL p50/p99':>19} "
              f"{'ratio p50/p99':>14} {'tuned SQL p50/p99':>19} {'ratio p50/p99':>14}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for report, via, same, tuned in results:
        print(
            f"{report:<13} {via[0]:>10.3f}s/{via[1]:.3f}s {same[0]:>8.3f}s/{same[1]:.3f}s "
            f"{via[0] / same[0]:>7.2f}×/{via[1] / same[1]:.2f}× "
            f"{tuned[0]:>8.3f}s/{tuned[1]:.3f}s {via[0] / tuned[0]:>7.2f}×/{via[1] / tuned[1]:.2f}×"
        )
    print("\ntarget: via reporting within 3× of the direct query")


if __name__ == "__main__":
    main()
