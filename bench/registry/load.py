"""Load for the HTTP half of the registry benchmark: servers started as subprocesses on
free ports, and clients that each keep one HTTP/1.1 connection busy."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


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
