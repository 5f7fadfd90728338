"""Start every service on one machine, on the embedded PostgreSQL unless told otherwise.

Set YICHENG_DATABASE_URL to an admin URL of an existing server to use it instead; each
service gets its own database there.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared import migrations
from shared.embedded import ensure_database, start_embedded, with_database

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / ".var"


@dataclass(frozen=True)
class Service:
    name: str
    port: int

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


REGISTRY = Service("registry", 8001)
SERVICES = [
    service
    for service in (
        REGISTRY,
        Service("eligibility", 8002),
        Service("funds", 8003),
        Service("reporting", 8004),
    )
    # A service still being built has no entry point yet; start what exists.
    if importlib.util.find_spec(f"services.{service.name}.__main__") is not None
]


def _secrets() -> dict[str, str]:
    """Admin password and service-client secrets, made once per machine, kept in .var/."""
    path = DATA_DIR / "secrets.json"
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = ["admin", *(s.client_id for s in SERVICES)]
    if any(name not in known for name in wanted):
        known |= {name: secrets.token_urlsafe(16) for name in wanted if name not in known}
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known))
        path.chmod(0o600)
    return known


def service_env(admin_url: str, secrets_by_name: dict[str, str]) -> dict[str, str]:
    """Environment that wires every service to its database, the JWKS and its upstreams."""
    env: dict[str, str] = {}
    others = {f"{s.name.upper()}_URL": s.url for s in SERVICES}
    for service in SERVICES:
        prefix = service.prefix
        env |= {
            f"{prefix}DATABASE_URL": with_database(admin_url, service.name),
            f"{prefix}PORT": str(service.port),
            f"{prefix}DATA_DIR": str(DATA_DIR),
            f"{prefix}JWKS_URL": f"{REGISTRY.url}/.well-known/jwks.json",
            f"{prefix}SERVICE_CLIENT_ID": service.client_id,
            f"{prefix}SERVICE_CLIENT_SECRET": secrets_by_name[service.client_id],
        }
        env |= {f"{prefix}{name}": url for name, url in others.items() if url != service.url}
    env["REGISTRY_BOOTSTRAP_ADMIN_PASSWORD"] = secrets_by_name["admin"]
    env["REGISTRY_SERVICE_CLIENTS"] = json.dumps(
        {s.client_id: secrets_by_name[s.client_id] for s in SERVICES}
    )
    return env


def _wait_ready(service: Service, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{service.name} exited with code {process.returncode}; see its log above")
        try:
            if httpx.get(f"{service.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit(f"{service.name} did not become ready within {timeout:.0f}s")


def main() -> None:
    admin_url = os.environ.get("YICHENG_DATABASE_URL") or start_embedded(DATA_DIR)
    known = _secrets()
    password = known["admin"]
    processes: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, **service_env(admin_url, known)}
    for service in SERVICES:
        ensure_database(admin_url, service.name)
        migrations.upgrade(service.migrations, env[f"{service.prefix}DATABASE_URL"])
    for service in SERVICES:
        processes.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", f"services.{service.name}", "serve"], env=env, cwd=ROOT
            )
        )
    try:
        for service, process in zip(SERVICES, processes, strict=True):
            _wait_ready(service, process)
        _load_demo_once(env)
        print("\n峄城区 poverty-alleviation back end is running:")
        for service in SERVICES:
            print(f"  {service.name:<12} {service.url}   (API docs: {service.url}/docs)")
        print(f"\nLog in as district administrator: username 'admin', password '{password}'")
        print(f"  curl -d 'username=admin&password={password}' {REGISTRY.url}/v1/auth/token")
        print("Press Ctrl-C to stop.\n", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


def _load_demo_once(env: dict[str, str]) -> None:
    marker = DATA_DIR / "demo-loaded"
    if marker.exists():
        return
    print("Loading the demo district (first run only)…", flush=True)
    subprocess.run(
        [sys.executable, "-m", "services.registry", "load-demo"], env=env, cwd=ROOT, check=True
    )
    marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))


if __name__ == "__main__":
    main()
