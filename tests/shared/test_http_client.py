"""ServiceClient against a real upstream served over a real socket by uvicorn."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from opentelemetry.sdk.trace import TracerProvider

from shared.errors import UpstreamUnavailable
from shared.http import ServiceClient
from shared.observability import request_id_var


@dataclass
class Upstream:
    url: str
    calls: dict[str, int] = field(default_factory=dict)
    seen_request_ids: list[str] = field(default_factory=list)
    seen_traceparents: list[str] = field(default_factory=list)
    server: uvicorn.Server | None = None
    task: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        assert self.server is not None and self.task is not None
        self.server.should_exit = True
        await self.task


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    app = FastAPI()
    port = _free_port()
    state = Upstream(f"http://127.0.0.1:{port}")

    def count(name: str) -> int:
        state.calls[name] = state.calls.get(name, 0) + 1
        return state.calls[name]

    @app.get("/flaky")
    async def flaky(request: Request) -> Response:
        state.seen_request_ids.append(request.headers.get("x-request-id", ""))
        state.seen_traceparents.append(request.headers.get("traceparent", ""))
        # Fails twice, then answers: a retried idempotent call gets through.
        return Response(status_code=503 if count("flaky") <= 2 else 200, content=b'{"ok": true}')

    @app.post("/create")
    async def create() -> Response:
        count("create")
        return Response(status_code=503)

    @app.get("/missing")
    async def missing() -> Response:
        count("missing")
        return Response(status_code=404)

    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error", lifespan="off"))
    state.server = server
    state.task = asyncio.create_task(server.serve())
    for _ in range(500):  # uvicorn offers no start event to await
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield state
    if not state.task.done():
        await state.stop()


async def test_idempotent_calls_are_retried_and_carry_the_request_id(upstream: Upstream) -> None:
    client = ServiceClient("upstream", upstream.url, attempts=3)
    token = request_id_var.set("req-1234567890")
    try:
        response = await client.request("GET", "/flaky")
    finally:
        request_id_var.reset(token)
        await client.aclose()
    assert response.status_code == 200
    assert upstream.calls["flaky"] == 3
    assert upstream.seen_request_ids == ["req-1234567890"] * 3


async def test_a_post_without_idempotency_key_is_sent_once(upstream: Upstream) -> None:
    client = ServiceClient("upstream", upstream.url, attempts=3)
    with pytest.raises(UpstreamUnavailable):
        await client.request("POST", "/create", json={})
    assert upstream.calls["create"] == 1

    with pytest.raises(UpstreamUnavailable):
        await client.request("POST", "/create", json={}, headers={"Idempotency-Key": "k1"})
    assert upstream.calls["create"] == 1 + 3
    await client.aclose()


async def test_client_errors_are_returned_not_retried(upstream: Upstream) -> None:
    client = ServiceClient("upstream", upstream.url, attempts=3)
    response = await client.request("GET", "/missing")
    await client.aclose()
    assert response.status_code == 404
    assert upstream.calls["missing"] == 1


async def test_a_stopped_upstream_is_unavailable_and_the_circuit_opens(upstream: Upstream) -> None:
    client = ServiceClient("stopped-upstream", upstream.url, attempts=1, timeout=1.0)
    await upstream.stop()
    for _ in range(5):
        with pytest.raises(UpstreamUnavailable, match="cannot be reached"):
            await client.request("GET", "/flaky")
    # After the threshold the breaker answers at once, without touching the network.
    with pytest.raises(UpstreamUnavailable, match="circuit open"):
        await client.request("GET", "/flaky")
    await client.aclose()


async def test_calls_carry_the_trace_context(upstream: Upstream) -> None:
    provider = TracerProvider()
    client = ServiceClient("upstream", upstream.url, attempts=3, tracer_provider=provider)
    with provider.get_tracer("test").start_as_current_span("report") as span:
        await client.request("GET", "/flaky")
    await client.aclose()
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert upstream.seen_traceparents
    assert all(tp.split("-")[1] == trace_id for tp in upstream.seen_traceparents)
