"""ServerSpanMiddleware on its own: context continued, errors recorded, probes skipped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, StatusCode

from shared.tracing import instrument_app, make_tracer_provider

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def client(exporter: InMemorySpanExporter) -> AsyncIterator[httpx.AsyncClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("exploded")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    instrument_app(app, provider)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as c:
        yield c


async def test_a_request_is_a_server_span_in_the_callers_trace(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    response = await client.get("/items/7?secret=x", headers={"traceparent": traceparent})
    assert response.status_code == 200
    [span] = exporter.get_finished_spans()
    assert span.kind is SpanKind.SERVER and span.name == "GET /items/{item_id}"
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.attributes is not None and span.attributes["http.route"] == "/items/{item_id}"
    assert "secret" not in repr(dict(span.attributes))


async def test_a_request_without_a_caller_starts_a_trace(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await client.get("/items/1")
    [span] = exporter.get_finished_spans()
    assert span.parent is None and span.context.trace_id != 0


async def test_an_exception_marks_the_span(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    response = await client.get("/boom")
    assert response.status_code == 500
    [span] = exporter.get_finished_spans()
    assert span.name == "GET /boom"
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["error.type"] == "RuntimeError"
    assert [e.name for e in span.events] == ["exception"]


async def test_probes_are_not_traced(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await client.get("/healthz")
    assert exporter.get_finished_spans() == ()


def test_without_a_collector_spans_are_not_recorded_but_the_trace_flows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    provider = make_tracer_provider("svc", None)
    parent = propagate.extract({"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
    span = provider.get_tracer("t").start_span("GET", context=parent)
    assert not span.is_recording()
    assert format(span.get_span_context().trace_id, "032x") == TRACE_ID


def test_a_sampler_asked_for_records_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_on")
    span = make_tracer_provider("svc", None).get_tracer("t").start_span("GET")
    assert span.is_recording()


async def test_a_non_recording_request_still_reaches_the_app() -> None:
    provider = TracerProvider(sampler=ALWAYS_OFF)
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, str]:
        trace_id = trace.get_current_span().get_span_context().trace_id
        return {"trace_id": format(trace_id, "032x")}

    instrument_app(app, provider)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as c:
        traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
        response = await c.get("/items/1", headers={"traceparent": traceparent})
    assert response.json() == {"trace_id": TRACE_ID}
