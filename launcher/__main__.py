"""`./yc run`: every service on one machine, on the embedded PostgreSQL unless told otherwise.

Set YICHENG_DATABASE_URL to an admin URL of an existing server to use it instead; each
service gets its own database there.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys

from launcher.stack import ROOT, Service, Stack, available
from shared.embedded import start_embedded

DATA_DIR = ROOT / ".var"
PORTS = {"registry": 8001, "eligibility": 8002, "funds": 8003, "reporting": 8004}


def _secrets(names: list[str]) -> dict[str, str]:
    """Admin password and service-client secrets, made once per machine, kept in .var/."""
    path = DATA_DIR / "secrets.json"
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = ["admin", *names]
    if any(name not in known for name in wanted):
        known |= {name: secrets.token_urlsafe(16) for name in wanted if name not in known}
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known))
        path.chmod(0o600)
    return known


def main() -> None:
    admin_url = os.environ.get("YICHENG_DATABASE_URL") or start_embedded(DATA_DIR)
    services = [Service(name, PORTS[name], name) for name in available()]
    stack = Stack(services, admin_url, DATA_DIR, _secrets([s.client_id for s in services]))
    stack.migrate()
    stack.start()
    try:
        stack.wait_ready()
        if not stack.demo_loaded():
            print("Loading the demo district (once per database)…", flush=True)
            stack.load_demo()
        password = stack.secrets["admin"]
        print("\n峄城区 poverty-alleviation back end is running:")
        for service in services:
            print(f"  {service.name:<12} {service.url}   (API docs: {service.url}/docs)")
        print(f"\nLog in as district administrator: username 'admin', password '{password}'")
        print(f"  curl -d 'username=admin&password={password}' {stack.registry.url}/v1/auth/token")
        print("Press Ctrl-C to stop.\n", flush=True)
        stop_signals = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        signal.sigwait(stop_signals)
    except RuntimeError as exc:
        sys.exit(str(exc))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
