"""OpenTelemetry traces: one provider per app, W3C trace context across service calls.

Spans carry route templates and the request id, never bodies: personal data stays out of
traces as it stays out of logs and metric labels.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def make_tracer_provider(service: str, otlp_endpoint: str | None) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if otlp_endpoint:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics"
    )


def instrument_client(client: httpx.AsyncClient, provider: TracerProvider | None) -> None:
    """Outgoing calls get a client span and a `traceparent` header."""
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
