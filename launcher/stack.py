"""The four services as one stack of processes: databases, migrations, wiring, start, stop.

`./yc run` starts the stack on fixed ports; the end-to-end tests start one on free ports
and throwaway databases. Either way each service is its own process talking real HTTP.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from shared import migrations
from shared.embedded import ensure_database, with_database

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("registry", "eligibility", "funds", "reporting")


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    database: str

    @property
    def prefix(self) -> str:
        return self.name.upper() + "_"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def migrations(self) -> Path:
        return ROOT / "services" / self.name / "migrations"

    @property
    def client_id(self) -> str:
        return f"svc-{self.name}"


def available(names: tuple[str, ...] = NAMES) -> list[str]:
    """Services that have an entry point (one still being built is left out)."""
    return [n for n in names if importlib.util.find_spec(f"services.{n}.__main__") is not None]


@dataclass
class Stack:
    services: list[Service]
    admin_url: str
    data_dir: Path
    secrets: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def registry(self) -> Service:
        return self.by_name("registry")

    def by_name(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def database_url(self, service: Service) -> str:
        return with_database(self.admin_url, service.database)

    def env(self) -> dict[str, str]:
        """Environment wiring every service to its database, the JWKS and its upstreams."""
        env: dict[str, str] = {}
        urls = {f"{s.name.upper()}_URL": s.url for s in self.services}
        for service in self.services:
            prefix = service.prefix
            env |= {
                f"{prefix}DATABASE_URL": self.database_url(service),
                f"{prefix}PORT": str(service.port),
                f"{prefix}DATA_DIR": str(self.data_dir),
                f"{prefix}SERVICE_CLIENT_ID": service.client_id,
                f"{prefix}SERVICE_CLIENT_SECRET": self.secrets[service.client_id],
            }
            # The registry signs the tokens, so it verifies them with its own keys: a JWKS
            # URL tells it to trust another issuer's keys instead (an external provider).
            if service != self.registry:
                env[f"{prefix}JWKS_URL"] = f"{self.registry.url}/.well-known/jwks.json"
            env |= {f"{prefix}{name}": url for name, url in urls.items() if url != service.url}
        env["REGISTRY_BOOTSTRAP_ADMIN_PASSWORD"] = self.secrets["admin"]
        env["REGISTRY_SERVICE_CLIENTS"] = json.dumps(
            {s.client_id: self.secrets[s.client_id] for s in self.services}
        )
        return env

    def migrate(self) -> None:
        env = self.env()
        for service in self.services:
            ensure_database(self.admin_url, service.database)
            migrations.upgrade(service.migrations, env[f"{service.prefix}DATABASE_URL"])

    def demo_loaded(self) -> bool:
        """Whether the registry's database already holds a district, the demo's or anyone's.

        Asked of the database itself, never of a file beside it: another database URL, or
        the embedded one dropped and made again, is empty and gets the demo. Households
        need villages and villages need towns, and the demo loads in one transaction, so
        one town is enough to tell. Call after `migrate`, which makes the table.
        """
        url = migrations.sync_url(self.database_url(self.registry))
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                query = sa.text("SELECT EXISTS (SELECT 1 FROM town)")
                return bool(connection.execute(query).scalar_one())
        finally:
            engine.dispose()

    def start(
        self,
        *,
        commands: Mapping[str, list[str]] | None = None,
        extra_env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        env = {**os.environ, **self.env(), **(extra_env or {})}
        for service in self.services:
            command = (commands or {}).get(service.name) or [
                "-m", f"services.{service.name}", "serve"
            ]  # fmt: skip
            out = open(log_dir / f"{service.name}.log", "wb") if log_dir else None  # noqa: SIM115
            self.processes[service.name] = subprocess.Popen(  # noqa: S603 - our own interpreter
                [sys.executable, *command], env=env, cwd=ROOT, stdout=out, stderr=out
            )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for service in self.services:
            process = self.processes[service.name]
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{service.name} exited with code {process.returncode}")
                try:
                    if httpx.get(f"{service.url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{service.name} did not become ready in {timeout:.0f}s")
                time.sleep(0.2)

    def stop(self, name: str | None = None) -> None:
        names = [name] if name else list(self.processes)
        for n in names:
            self.processes[n].terminate()
        for n in names:
            try:
                self.processes[n].wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.processes[n].kill()
            del self.processes[n]

    def load_demo(self) -> None:
        """The demo district, generated and loaded through the registry's import path."""
        subprocess.run(
            [sys.executable, "-m", "services.registry", "load-demo"],
            env={**os.environ, **self.env()},
            cwd=ROOT,
            check=True,
        )
