"""Traces carry the caller's trace context and the request id; no personal data leaks into
logs, spans or metric labels."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest
import structlog
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy.ext.asyncio import AsyncSession

from shared.observability import configure_logging
from tests.registry.factories import TokenFactory, household_body, make_areas

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def spans(registry_app: FastAPI) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    registry_app.state.tracer_provider.add_span_processor(processor)
    yield exporter
    # The provider has no remove: an exporter that stops collecting is as good.
    exporter.shutdown()


async def test_server_spans_continue_the_callers_trace_and_carry_the_request_id(
    client: httpx.AsyncClient, auth: TokenFactory, spans: InMemorySpanExporter
) -> None:
    response = await client.get(
        "/v1/towns",
        headers={**auth(), "traceparent": TRACEPARENT, "X-Request-ID": "req-trace-0001"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-trace-0001"
    server = [s for s in spans.get_finished_spans() if s.attributes.get("request.id")]
    assert server, "no span carries the request id"
    assert {format(s.context.trace_id, "032x") for s in server} == {TRACE_ID}
    assert server[0].attributes["request.id"] == "req-trace-0001"


async def test_no_name_or_id_number_in_logs_spans_or_metrics(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    spans: InMemorySpanExporter,
) -> None:
    await make_areas(session)
    body = household_body()
    secrets = [m["name"] for m in body["members"]] + [m["id_number"] for m in body["members"]]
    log = io.StringIO()
    configure_logging("DEBUG", json=True, stream=log)
    try:
        created = await client.post("/v1/households", json=body, headers=auth())
        assert created.status_code == 201, created.text
        household_id = created.json()["id"]
        await client.get(f"/v1/households/{household_id}", headers=auth())
        await client.post(
            "/v1/persons/search",
            json={"id_number": body["members"][0]["id_number"]},
            headers=auth(),
        )
        # A refused write logs too: its error must not echo the number either.
        await client.post("/v1/households", json=body, headers=auth())
    finally:
        configure_logging("WARNING", json=True)
    logs = log.getvalue()
    metrics = (await client.get("/metrics")).text
    span_text = repr([(s.name, dict(s.attributes or {})) for s in spans.get_finished_spans()])

    assert logs, "nothing was logged"
    for secret in secrets:
        assert secret not in logs
        assert secret not in span_text
        assert secret not in metrics


async def test_one_server_span_per_request_named_by_route_template(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    spans: InMemorySpanExporter,
) -> None:
    await make_areas(session)
    created = await client.post("/v1/households", json=household_body(), headers=auth())
    household_id = created.json()["id"]
    spans.clear()
    response = await client.get(
        f"/v1/households/{household_id}",
        params={"year": 2019},
        headers={**auth(), "traceparent": TRACEPARENT, "X-Request-ID": "req-route-0001"},
    )
    assert response.status_code == 200
    [span] = spans.get_finished_spans()  # no per-message send/receive spans
    assert span.kind is SpanKind.SERVER
    assert span.name == "GET /v1/households/{household_id}"
    attributes = dict(span.attributes or {})
    assert attributes["http.route"] == "/v1/households/{household_id}"
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.response.status_code"] == 200
    assert attributes["request.id"] == "req-route-0001"
    assert span.parent is not None and span.parent.span_id == int("00f067aa0ba902b7", 16)
    # Neither the concrete path nor the query string: they are not the span's business.
    assert household_id not in repr(attributes) and "2019" not in repr(attributes)


async def test_unrouted_probes_and_errors(
    client: httpx.AsyncClient, auth: TokenFactory, spans: InMemorySpanExporter
) -> None:
    spans.clear()
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/metrics")).status_code == 200
    assert spans.get_finished_spans() == ()  # probes and scrapes are not traced
    missing = await client.get("/v1/no-such-route", headers=auth())
    assert missing.status_code == 404
    [span] = spans.get_finished_spans()
    assert span.name == "GET" and "http.route" not in (span.attributes or {})
    assert span.attributes is not None and span.attributes["http.response.status_code"] == 404
    assert span.status.status_code is not StatusCode.ERROR


async def test_log_lines_carry_the_request_and_trace_ids(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    log = io.StringIO()
    configure_logging("INFO", json=True, stream=log)
    try:
        await client.get(
            "/v1/towns",
            headers={**auth(), "traceparent": TRACEPARENT, "X-Request-ID": "req-logs-0001"},
        )
    finally:
        configure_logging("WARNING", json=True)
    [access] = [json.loads(line) for line in log.getvalue().splitlines() if '"request"' in line]
    assert access["route"] == "/v1/towns" and access["status"] == 200
    assert (access["request_id"], access["trace_id"]) == ("req-logs-0001", TRACE_ID)
    configure_logging("WARNING", json=True, stream=log)
    outside = log.tell()
    structlog.get_logger("t").warning("between requests")
    assert "request_id" not in log.getvalue()[outside:]
