"""Start every service on one machine, on the embedded PostgreSQL unless told otherwise.

Set YICHENG_DATABASE_URL to an admin URL of an existing server to use it instead; each
service gets its own database there.
"""

from __future__ import annotations

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
    migrations: Path

    @property
    def prefix(self) -> str:
        return self.name.upper() + "_"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


SERVICES = [
    Service("registry", 8001, ROOT / "services/registry/migrations"),
]


def _admin_password() -> str:
    path = DATA_DIR / "admin-password"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


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
    password = _admin_password()
    processes: list[subprocess.Popen[bytes]] = []
    env = dict(os.environ)
    for service in SERVICES:
        ensure_database(admin_url, service.name)
        url = with_database(admin_url, service.name)
        migrations.upgrade(service.migrations, url)
        env |= {
            f"{service.prefix}DATABASE_URL": url,
            f"{service.prefix}PORT": str(service.port),
            f"{service.prefix}DATA_DIR": str(DATA_DIR),
            f"{service.prefix}JWKS_URL": f"{SERVICES[0].url}/.well-known/jwks.json",
            f"{service.prefix}REGISTRY_URL": SERVICES[0].url,
        }
    env["REGISTRY_BOOTSTRAP_ADMIN_PASSWORD"] = password
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
        print(f"  curl -d 'username=admin&password={password}' {SERVICES[0].url}/v1/auth/token")
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
