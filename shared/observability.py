"""JSON logs with a request id, Prometheus metrics, and the request-id middleware.

The request id arrives in `X-Request-ID` (or is made here), is bound to every log line of
the request, returned to the caller and forwarded on calls to other services. Logs never
carry bodies or query strings: both may hold personal data.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time
from contextvars import ContextVar
from typing import Any, TextIO

import structlog
from opentelemetry import trace
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
request_id_var: ContextVar[str] = ContextVar("request_id", default="")


# The level configure_logging set: the access log is skipped outright when it would be
# filtered anyway (the common case behind a load balancer that logs requests itself).
_log_level = logging.INFO


def configure_logging(
    level: str = "INFO", *, json: bool = True, stream: TextIO | None = None
) -> None:
    global _log_level
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    _log_level = logging.getLevelName(level.upper())
    if not isinstance(_log_level, int):
        raise ValueError(f"unknown log level {level!r}")
    structlog.configure(
        processors=[
            add_request_context,
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_log_level),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stdout),
        cache_logger_on_first_use=False,
    )


def add_request_context(
    _logger: Any, _method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """The request id and trace id of the request being served, read when a line is logged
    rather than bound on every request (most requests log nothing at WARNING)."""
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("request_id", request_id)
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            event.setdefault("trace_id", format(context.trace_id, "032x"))
    return event


class Metrics:
    """One registry per app, so several apps in one test process don't collide."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route template and status",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
            ["service", "method", "route"],
            registry=self.registry,
        )
        self.service = service


def _route_template(scope: Scope) -> str:
    # Label by template (/v1/households/{household_id}), never by the concrete path: the
    # router leaves the matched route in the scope.
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


_REQUEST_ID = REQUEST_ID_HEADER.encode()
# A proxy resolved against the configuration when used: configure_logging may change it.
_access_log = structlog.get_logger("access")


class RequestContextMiddleware:
    """Request id, access log and metrics for every HTTP request; the request id goes on
    the server span (shared.tracing) that encloses it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        # Label children by (method, route, status): labels() costs a lock and a hash of
        # every label per call; the set of routes, methods and statuses is small.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == _REQUEST_ID:
                incoming = value.decode("latin-1")
                break
        request_id = (
            incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else secrets.token_hex(16)
        )
        token = request_id_var.set(request_id)
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute("request.id", request_id)
        started = time.perf_counter()
        status = 500
        request_id_header = (_REQUEST_ID, request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), request_id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope["method"]
            key = (method, route, status)
            children = self._children.get(key)
            if children is None:
                service = self.metrics.service
                children = (
                    self.metrics.requests.labels(service, method, route, str(status)),
                    self.metrics.latency.labels(service, method, route),
                )
                self._children[key] = children
            children[0].inc()
            children[1].observe(elapsed)
            if _log_level <= logging.INFO:
                _access_log.info(
                    "request",
                    method=method,
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
            request_id_var.reset(token)
