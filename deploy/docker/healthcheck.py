"""Container health check for the one image that runs every service (Docker HEALTHCHECK).

Finds which service this container runs from the command line of PID 1
(`python -m services.<name> serve`, possibly behind `docker-init`), then asks that
service's `/readyz` on `<NAME>_PORT` (default 8001-8004). Healthy means ready: database
reachable and migrations at head, which is what Compose's `service_healthy` waits for.
A `migrate` one-shot serves nothing, so it counts as healthy while it runs.

Standard library only: it runs every few seconds and must start fast.
Exit status 0 = healthy, 1 = unhealthy (Docker's convention).
"""

from __future__ import annotations

import http.client
import os
import sys

DEFAULT_PORTS = {"registry": 8001, "eligibility": 8002, "funds": 8003, "reporting": 8004}


def running_command(cmdline: bytes) -> tuple[str, str] | None:
    """(service, command) from a NUL-separated command line, or None if none is there."""
    args = [arg.decode(errors="replace") for arg in cmdline.split(b"\0") if arg]
    for index, arg in enumerate(args):
        if arg.startswith("services.") and arg.count(".") == 1:
            command = args[index + 1] if index + 1 < len(args) else ""
            return arg.removeprefix("services."), command
    return None


def main(cmdline_file: str = "/proc/1/cmdline") -> int:
    try:
        with open(cmdline_file, "rb") as f:
            found = running_command(f.read())
    except OSError as exc:
        print(f"unhealthy: cannot read the container's command: {exc}", file=sys.stderr)
        return 1
    if found is None:
        print("unhealthy: PID 1 runs no `services.<name>` module", file=sys.stderr)
        return 1
    service, command = found
    if command != "serve":
        return 0
    port = int(os.environ.get(f"{service.upper()}_PORT", DEFAULT_PORTS.get(service, 8000)))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    try:
        connection.request("GET", "/readyz")
        response = connection.getresponse()
        body = response.read(500).decode(errors="replace")
    except OSError as exc:
        print(f"unhealthy: {service} on port {port}: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print(f"unhealthy: {service} /readyz answered {response.status}: {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
