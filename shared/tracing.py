"""OpenTelemetry traces: one provider per app, W3C trace context across service calls.

Spans carry route templates and the request id, never bodies, paths or query strings:
personal data stays out of traces as it stays out of logs and metric labels.

The server span of each HTTP request is made here by `ServerSpanMiddleware`, with the
OpenTelemetry API and SDK, rather than by opentelemetry-instrumentation-fastapi: that
instrumentation cost ≈250 µs of CPU per request (it matched the path against every route
of the app before routing, built and re-set a dozen URL attributes, opened spans for every
ASGI message and wrapped the app in two more middlewares) — more than a whole bare FastAPI
request. This one does what the services need: continue the caller's trace (W3C
traceparent/tracestate and baggage), one SERVER span named by the route template with the
stable HTTP semantic-convention attributes, the status, and exceptions recorded.
Outgoing calls are traced by the httpx instrumentation (`instrument_client`).
"""

from __future__ import annotations

import os
from collections.abc import Collection

import httpx
from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.http_attributes import (
    HTTP_REQUEST_METHOD,
    HTTP_RESPONSE_STATUS_CODE,
    HTTP_ROUTE,
)
from opentelemetry.semconv.attributes.network_attributes import NETWORK_PROTOCOL_VERSION
from opentelemetry.semconv.attributes.url_attributes import URL_SCHEME
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Probes and scrapes are not traced.
EXCLUDED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def make_tracer_provider(service: str, otlp_endpoint: str | None) -> TracerProvider:
    """Spans are recorded only when something collects them: with an OTLP endpoint, or
    when OTEL_TRACES_SAMPLER asks for a sampler (a test's in-memory exporter). Otherwise
    they are non-recording: trace ids still flow to logs and to the services called, and a
    request saves the ≈100 µs of CPU a recorded span costs."""
    recording = bool(otlp_endpoint) or "OTEL_TRACES_SAMPLER" in os.environ
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        # None: the SDK's default (parent-based, always on), or OTEL_TRACES_SAMPLER's.
        sampler=None if recording else ALWAYS_OFF,
    )
    if otlp_endpoint:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    return provider


class ServerSpanMiddleware:
    """One SERVER span per HTTP request, a child of the caller's span when there is one."""

    def __init__(
        self,
        app: ASGIApp,
        provider: TracerProvider,
        excluded_paths: Collection[str] = EXCLUDED_PATHS,
    ) -> None:
        self.app = app
        self.tracer = provider.get_tracer(__name__)
        self.excluded = frozenset(excluded_paths)
        # Header names the global propagator reads (traceparent, tracestate, baggage).
        self.fields = frozenset(f.encode() for f in propagate.get_global_textmap().fields)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.excluded:
            await self.app(scope, receive, send)
            return
        carrier = {
            name.decode(): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in self.fields
        }
        parent = propagate.extract(carrier) if carrier else None
        method = scope["method"] if scope["method"] in _KNOWN_METHODS else "_OTHER"
        span = self.tracer.start_span(
            # Named by the method until routed; by "METHOD /route/{template}" after.
            method if method != "_OTHER" else "HTTP",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={
                HTTP_REQUEST_METHOD: method,
                URL_SCHEME: scope.get("scheme", "http"),
                NETWORK_PROTOCOL_VERSION: scope.get("http_version", "1.1"),
            },
        )
        token = context.attach(trace.set_span_in_context(span))
        if not span.is_recording():
            try:
                await self.app(scope, receive, send)
            finally:
                context.detach(token)
            return

        async def send_with_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                _routed(span, scope)
                status = int(message["status"])
                span.set_attribute(HTTP_RESPONSE_STATUS_CODE, status)
                if status >= 500:
                    span.set_attribute(ERROR_TYPE, str(status))
                    span.set_status(Status(StatusCode.ERROR))
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        except Exception as exc:
            _routed(span, scope)
            span.record_exception(exc)
            span.set_attribute(ERROR_TYPE, type(exc).__qualname__)
            span.set_status(Status(StatusCode.ERROR, type(exc).__qualname__))
            raise
        finally:
            context.detach(token)
            span.end()


def _routed(span: trace.Span, scope: Scope) -> None:
    """Name the span by the route template the router matched (none for a 404)."""
    template = getattr(scope.get("route"), "path", None)
    if template is not None and span.is_recording():
        method = scope["method"] if scope["method"] in _KNOWN_METHODS else "HTTP"
        span.update_name(f"{method} {template}")
        span.set_attribute(HTTP_ROUTE, str(template))


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    """Trace the app's requests; call after adding the app's other middleware, so that
    this one is outermost and the others run inside the server span."""
    app.add_middleware(ServerSpanMiddleware, provider=provider)


def instrument_client(client: httpx.AsyncClient, provider: TracerProvider | None) -> None:
    """Outgoing calls get a client span and a `traceparent` header."""
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
