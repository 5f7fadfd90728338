"""Calls between services: typed clients over httpx with the safety a district needs.

Explicit timeouts; bounded retries of idempotent calls only (a POST only with an
Idempotency-Key); a circuit breaker per upstream so a dead service fails fast; the request
id forwarded; and either the caller's own token (acting for a person, so area scoping
applies upstream) or a service token from the client-credentials grant.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import stamina
from opentelemetry.sdk.trace import TracerProvider
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from shared.errors import UpstreamUnavailable
from shared.observability import REQUEST_ID_HEADER, request_id_var
from shared.tracing import instrument_client

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_RETRY_STATUSES = frozenset({502, 503, 504})


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"upstream answered {response.status_code}")
        self.response = response


@dataclass
class ServiceTokenSource:
    """A service token from the registry's client-credentials grant, cached until near expiry."""

    token_url: str
    client_id: str
    client_secret: str
    transport: httpx.AsyncBaseTransport | None = None
    _token: str | None = field(default=None, repr=False)
    _expires: float = 0.0

    async def token(self) -> str:
        if self._token is None or time.monotonic() > self._expires - 30:
            async with httpx.AsyncClient(transport=self.transport, timeout=5) as client:
                response = await client.post(
                    self.token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self.client_id,
                        "client_secret": self.client_secret,
                    },
                )
            if response.status_code != 200:
                raise UpstreamUnavailable(f"cannot obtain a service token ({response.status_code})")
            body = response.json()
            self._token = str(body["access_token"])
            self._expires = time.monotonic() + float(body.get("expires_in", 300))
        return self._token


class ServiceClient:
    """Base of the small typed clients (RegistryClient, EligibilityClient, …)."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        tokens: ServiceTokenSource | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        attempts: int = 3,
        breakers: AsyncCircuitBreakerFactory | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.name = name
        self.tokens = tokens
        self.attempts = attempts
        self.breakers = breakers or AsyncCircuitBreakerFactory(default_threshold=5, default_ttl=15)
        self.http = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
        )
        instrument_client(self.http, tracer_provider)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _headers(self, token: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if request_id := request_id_var.get():
            headers[REQUEST_ID_HEADER] = request_id
        bearer = token or (await self.tokens.token() if self.tokens else None)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send once, or with retries when the call is idempotent. 4xx is the caller's to read."""
        sent_headers = await self._headers(token, headers)
        retryable = method.upper() in _IDEMPOTENT or "idempotency-key" in {
            k.lower() for k in sent_headers
        }
        attempts = self.attempts if retryable else 1
        try:
            async with await self.breakers.get_breaker(self.name):
                async for attempt in stamina.retry_context(
                    on=(httpx.TransportError, _RetryableStatus),
                    attempts=attempts,
                    wait_initial=0.05,
                    wait_max=1.0,
                    timeout=30,
                ):
                    with attempt:
                        response = await self.http.request(
                            method, path, headers=sent_headers, **kwargs
                        )
                        if response.status_code in _RETRY_STATUSES:
                            raise _RetryableStatus(response)
                        return response
        except OpenedState as exc:
            raise UpstreamUnavailable(f"{self.name} is unavailable (circuit open)") from exc
        except _RetryableStatus as exc:
            raise UpstreamUnavailable(f"{self.name} answered {exc.response.status_code}") from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(
                f"{self.name} cannot be reached: {type(exc).__name__}"
            ) from exc
        raise AssertionError("unreachable: retry_context always yields")

    @asynccontextmanager
    async def stream(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> AsyncIterator[httpx.Response]:
        """A streamed response (bulk export): no retry, the caller reads it incrementally."""
        headers = await self._headers(token, kwargs.pop("headers", None))
        try:
            async with self.http.stream(method, path, headers=headers, **kwargs) as response:
                yield response
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(
                f"{self.name} cannot be reached: {type(exc).__name__}"
            ) from exc
