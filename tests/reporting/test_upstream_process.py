"""A real registry process, reached over TCP, stopped in the middle of a report: the report
is still a 200, marked partial with the registry's figures null, and a report asked before
the stop is served from its snapshot, marked cached with its age."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.registry.settings import RegistrySettings
from tests.reporting.conftest import ReportingFactory, TokenFactory, bearer, client_of

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def registry_process(
    demo_registry_settings: RegistrySettings,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`python -m services.registry serve` on a free port, over the demo's database and keys."""
    port = free_port()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": str(demo_registry_settings.database_url),
        "REGISTRY_DATA_DIR": str(demo_registry_settings.data_dir),
        "REGISTRY_HOST": "127.0.0.1",
        "REGISTRY_PORT": str(port),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "services.registry", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, "the registry process exited at start"
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the registry process did not become ready"
        time.sleep(0.2)
    try:
        yield process, url
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            process.kill()
        process.wait(timeout=10)


async def test_stopping_the_registry_mid_report_gives_partial_never_500(
    registry_process: tuple[subprocess.Popen[bytes], str],
    reporting_factory: ReportingFactory,
    token: TokenFactory,
) -> None:
    process, url = registry_process
    app = await reporting_factory(
        registry_url=url,
        registry_transport=None,  # real TCP to the real process
        upstream_timeout_seconds=20,
        upstream_deadline_seconds=20,
    )
    who = bearer(token())
    async with client_of(app) as client:
        before = await client.get("/v1/reports/rolling-plan", headers=who)
        assert before.status_code == 200, before.text
        fresh = before.json()
        assert fresh["sources"]["registry"]["state"] == "fresh"
        assert fresh["totals"]["poor_persons_2015"]["actual"] == 16661

        # Freeze the registry, ask for a report it must answer, then kill it mid-request.
        os.kill(process.pid, signal.SIGSTOP)
        in_flight = asyncio.create_task(
            client.get("/v1/reports/causes", params={"year": 2015}, headers=who)
        )
        await asyncio.sleep(1.0)
        assert not in_flight.done(), "the report should be waiting on the frozen registry"
        process.kill()
        process.wait(timeout=10)
        during = await asyncio.wait_for(in_flight, timeout=30)
        assert during.status_code == 200, during.text
        report = during.json()
        assert report["partial"] is True
        assert report["sources"]["registry"]["state"] == "missing"
        assert report["sources"]["registry"]["error"]
        assert report["totals"]["households"] is None and report["totals"]["persons"] is None
        assert all(line["households"]["actual"] is None for line in report["totals"]["published"])
        assert report["rows"] == []

        # The report asked before the stop comes from its snapshot, marked with its age.
        after = await client.get("/v1/reports/rolling-plan", headers=who)
        assert after.status_code == 200
        cached = after.json()
        assert cached["sources"]["registry"]["state"] == "cached"
        assert cached["sources"]["registry"]["age_seconds"] >= 1.0
        assert cached["totals"] == fresh["totals"]

        # And every other report keeps answering, partial, while the registry stays down.
        for path in ("exit-progress?year=2018", "indicators?year=2015", "causes"):
            response = await client.get(f"/v1/reports/{path}", headers=who)
            assert response.status_code == 200, path
            assert response.json()["partial"] is True, path
