"""Disbursement throughput: 50 concurrent clients paying through the funds service over
HTTP, against one shared allocation and against one allocation each, next to a bare
INSERT of the same rows into PostgreSQL; then the books are checked.

    .venv/bin/python bench/funds/disburse.py [--clients 50] [--payments 40]

Runs a real `python -m services.funds serve` (one uvicorn worker) on a fresh database of
the embedded PostgreSQL (or of YICHENG_DATABASE_URL's server). Tokens are signed here and
verified by the service through a JWKS URL served here, as the registry would. Payments
go to a contractor against an invoice, so neither the registry nor the eligibility
service is on the measured path: this measures the service and its ledger.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from shared import migrations
from shared.auth import Role, TokenIssuer, load_or_create_signing_keys
from shared.embedded import drop_database, ensure_database, start_embedded, with_database

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # for tests/funds/books.py: the ledger invariants, one definition

from tests.funds.books import assert_books_balance  # noqa: E402

DAY = date(2018, 3, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_jwks(issuer: TokenIssuer) -> str:
    body = json.dumps(issuer.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/jwks.json"


def payment(allocation: str, client: int) -> dict[str, Any]:
    """1.00 to the client's own contractor: only the allocation is shared, or nothing is."""
    return {
        "allocation_id": allocation,
        "amount": "1.00",
        "paid_on": date.today().isoformat(),
        "payee": {"kind": "contractor", "name": f"施工单位{client}",
                  "credit_code": f"91370404MA{client:08d}", "bank_account": "15245201040001234"},
        "reason": {"kind": "invoice", "invoice_number": f"bench-{uuid.uuid4().hex}",
                   "invoice_date": DAY.isoformat(), "invoice_amount": "1.00"},
    }  # fmt: skip


async def setup(
    client: httpx.AsyncClient, headers: dict[Role, dict[str, str]], allocations: int
) -> list[str]:
    """A source, one accepted project, `allocations` allocations of 100000.00 each."""

    async def post(path: str, body: dict[str, Any], role: Role) -> dict[str, Any]:
        response = await client.post(path, json=body, headers=headers[role])
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    source = await post("/v1/sources", {
        "year": 2018, "level": "central", "kind": "special_poverty", "name": "bench",
        "document_number": uuid.uuid4().hex, "amount": "900000000.00",
        "received_on": DAY.isoformat()}, Role.finance_officer)  # fmt: skip
    project = await post("/v1/projects", {
        "year": 2018, "kind": "infrastructure", "name": "bench", "town_code": "370404104",
        "planned_households": 0, "budget": "900000000.00", "applied_on": DAY.isoformat()},
        Role.town_officer)  # fmt: skip
    day = DAY
    for stage, role, notice in (
        ("village_reviewed", Role.town_officer, True), ("town_reviewed", Role.town_officer, True),
        ("district_approved", Role.district_admin, True), ("agreement_signed", Role.town_officer, False),
        ("under_construction", Role.town_officer, False), ("accepted", Role.district_admin, False),
    ):  # fmt: skip
        day += timedelta(days=8)
        body: dict[str, Any] = {"stage": stage, "decided_on": day.isoformat()}
        if notice:
            body["notice"] = {
                "published_on": day.isoformat(),
                "days": 7,
                "place": "公开栏",
                "text": "公示",
            }
        await post(f"/v1/projects/{project['id']}/stages", body, role)
    made = []
    for _ in range(allocations):
        allocation = await post("/v1/allocations", {
            "source_id": source["id"], "project_id": project["id"], "amount": "100000.00",
            "allocated_on": day.isoformat()}, Role.finance_officer)  # fmt: skip
        made.append(allocation["id"])
    return made


async def pay(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    targets: list[str],
    payments: int,
    keyed: bool,
) -> float:
    """`len(targets)` concurrent clients, client i paying `payments` times from targets[i]."""

    async def one_client(allocation: str, number: int) -> None:
        for _ in range(payments):
            extra = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
            response = await client.post(
                "/v1/disbursements", json=payment(allocation, number), headers={**headers, **extra}
            )
            assert response.status_code == 201, response.text

    start = time.perf_counter()
    await asyncio.gather(*(one_client(t, n) for n, t in enumerate(targets)))
    return time.perf_counter() - start


async def bare_inserts(url: str, clients: int, payments: int) -> float:
    """The same rows, INSERTed with no service, no constraints, no ledger: one per transaction."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    setup_conn = await asyncpg.connect(dsn)
    await setup_conn.execute(
        "CREATE TABLE bench_bare_disbursement (LIKE disbursement INCLUDING DEFAULTS)"
    )
    await setup_conn.close()
    connections = [await asyncpg.connect(dsn) for _ in range(clients)]
    sql = """INSERT INTO bench_bare_disbursement
        (id, allocation_id, project_id, amount_fen, paid_on, payee_kind, contractor_name,
         contractor_code, contractor_bank_account, reason_kind, invoice_number, reason,
         town_code, payee_account_id, txn_id, created_by)
        VALUES ($1, $2, $2, 100, current_date, 'contractor', '宏达建筑', '91370404MA3C2B4K1P',
                '15245201040001234', 'invoice', $3, $4, '370404104', 1, $5, 'bench')"""

    async def one_client(conn: asyncpg.Connection, c: int) -> None:
        for n in range(payments):
            reason = json.dumps({"kind": "invoice", "invoice_number": f"bench-{c}-{n}"})
            await conn.execute(
                sql, uuid.uuid4(), uuid.uuid4(), f"bench-{c}-{n}", reason, c * payments + n
            )

    start = time.perf_counter()
    await asyncio.gather(*(one_client(conn, c) for c, conn in enumerate(connections)))
    elapsed = time.perf_counter() - start
    for conn in connections:
        await conn.close()
    return elapsed


async def check_books(url: str, client: httpx.AsyncClient, headers: dict[str, str],
                      shared: str, shared_paid: int, many: list[str], payments: int) -> dict[str, Any]:  # fmt: skip
    from sqlalchemy.ext.asyncio import create_async_engine

    from shared.db import async_url

    engine = create_async_engine(async_url(url))
    async with engine.connect() as conn, conn.begin():
        await assert_books_balance(conn)
    await engine.dispose()
    trial = (await client.get("/v1/ledger/trial-balance", headers=headers)).json()
    assert trial["balanced"] and trial["negative_accounts"] == 0, trial
    expected_shared = f"{100000 - shared_paid}.00"
    got = (await client.get(f"/v1/allocations/{shared}", headers=headers)).json()["available"]
    assert got == expected_shared, (got, expected_shared)
    for allocation in many:
        left = (await client.get(f"/v1/allocations/{allocation}", headers=headers)).json()[
            "available"
        ]
        assert left == f"{100000 - payments}.00", left
    return trial


async def measure(
    base: str, headers: dict[Role, dict[str, str]], url: str, clients: int, payments: int,
    keyed: bool,
) -> dict[str, Any]:  # fmt: skip
    limits = httpx.Limits(max_connections=clients + 5, max_keepalive_connections=clients + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        for _ in range(300):
            try:
                if (await client.get("/readyz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        allocations = await setup(client, headers, 1 + clients)
        shared, many = allocations[0], allocations[1:]
        finance = headers[Role.finance_officer]
        await pay(client, finance, [shared] * 5, 4, keyed)  # warm-up: connections, caches
        alone = await pay(client, finance, [shared], 50, keyed)
        times = {
            "shared": await pay(client, finance, [shared] * clients, payments, keyed),
            "many": await pay(client, finance, many, payments, keyed),
            "bare": await bare_inserts(url, clients, payments),
        }
        # The warm-up's 20 and the lone client's 50 also came out of the shared allocation.
        trial = await check_books(url, client, headers[Role.auditor], shared,
                                  clients * payments + 20 + 50, many, payments)  # fmt: skip
    return {"times": times, "alone_ms": alone / 50 * 1000, "trial": trial}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--payments", type=int, default=40, help="per client")
    parser.add_argument("--no-idempotency-key", action="store_true")
    args = parser.parse_args()
    keyed = not args.no_idempotency_key

    admin = os.environ.get("YICHENG_DATABASE_URL") or start_embedded(ROOT / ".var")
    name = f"bench_funds_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    url = with_database(admin, name)
    migrations.upgrade(ROOT / "services/funds/migrations", url)
    work = Path(tempfile.mkdtemp(prefix="bench-funds-"))
    issuer = TokenIssuer(load_or_create_signing_keys(work / "keys"), "yicheng-registry", "yicheng",
                         access_ttl_seconds=3600)  # fmt: skip
    port = free_port()
    env = {**os.environ, "FUNDS_DATABASE_URL": url, "FUNDS_PORT": str(port),
           "FUNDS_JWKS_URL": serve_jwks(issuer), "FUNDS_DATA_DIR": str(work),
           "FUNDS_LOG_LEVEL": "WARNING", "FUNDS_DB_POOL_SIZE": str(max(10, args.clients // 2))}  # fmt: skip
    headers = {
        role: {"Authorization": f"Bearer {issuer.issue(f'bench-{role.value}', role, area)}"}
        for role, area in ((Role.finance_officer, "370404"), (Role.town_officer, "370404104"),
                           (Role.district_admin, "370404"), (Role.auditor, "370404"))
    }  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "services.funds", "serve"], env=env, cwd=ROOT)
    try:
        result = asyncio.run(
            measure(f"http://127.0.0.1:{port}", headers, url, args.clients, args.payments, keyed)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_database(admin, name)
        shutil.rmtree(work, ignore_errors=True)

    total = args.clients * args.payments
    times, trial = result["times"], result["trial"]
    rate = {k: total / t for k, t in times.items()}
    print(f"funds disbursements: {args.clients} concurrent clients × {args.payments} payments "
          f"= {total} per run, Idempotency-Key {'on' if keyed else 'off'}, one uvicorn worker, "
          f"{os.cpu_count()} CPUs shared with PostgreSQL and the clients")  # fmt: skip
    print(f"  one shared allocation   {rate['shared']:8.0f} /s   ({times['shared']:.2f} s)   "
          f"{rate['shared'] / rate['bare']:.4f} of bare INSERT")  # fmt: skip
    print(f"  one allocation each     {rate['many']:8.0f} /s   ({times['many']:.2f} s)   "
          f"{rate['many'] / rate['bare']:.4f} of bare INSERT")  # fmt: skip
    print(f"  bare INSERT, same rows  {rate['bare']:8.0f} /s   ({times['bare']:.2f} s)")
    print(f"  one client alone: {result['alone_ms']:.1f} ms per payment")
    print(f"  books: balanced={trial['balanced']} debits={trial['debits']} credits={trial['credits']} "
          f"transactions={trial['transactions']} negative accounts={trial['negative_accounts']}; "
          "every ledger invariant of tests/funds/books.py holds")  # fmt: skip


if __name__ == "__main__":
    main()
