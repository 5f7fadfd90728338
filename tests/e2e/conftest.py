"""The four services as separate processes on free ports and throwaway databases."""

from __future__ import annotations

import secrets
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from launcher.stack import Service, Stack, available
from shared.embedded import drop_database

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningStack:
    stack: Stack
    clock_file: Path
    logs: Path

    def url(self, name: str) -> str:
        return self.stack.by_name(name).url

    def advance_clock(self, by: timedelta) -> None:
        current = float(self.clock_file.read_text() or 0) if self.clock_file.exists() else 0.0
        self.clock_file.write_text(str(current + by.total_seconds()))


@pytest.fixture(scope="module")
def running(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    folder = tmp_path_factory.mktemp("e2e")
    run = uuid.uuid4().hex[:6]
    services = [Service(name, _free_port(), f"e2e_{name}_{run}") for name in available()]
    assert [s.name for s in services] == ["registry", "eligibility", "funds", "reporting"]
    keys = {"admin": secrets.token_urlsafe(12)} | {
        s.client_id: secrets.token_urlsafe(12) for s in services
    }
    stack = Stack(services, pg_admin_url, folder / "data", keys)
    clock_file = folder / "clock-offset"
    stack.migrate()
    stack.start(
        commands={"eligibility": [str(HERE / "eligibility_with_clock.py"), str(clock_file)]},
        log_dir=folder,
    )
    try:
        stack.wait_ready()
        yield RunningStack(stack, clock_file, folder)
    finally:
        stack.stop()
        for service in services:
            drop_database(pg_admin_url, service.database)
