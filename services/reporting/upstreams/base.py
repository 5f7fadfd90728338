"""What the typed clients share: reading an upstream's answer, or saying why it cannot be read.

Every answer other than 200 becomes an exception a report can classify: the caller was
refused (their role or area, never served from a snapshot), or the upstream failed (down,
timed out, answered an error or something this service cannot read: a snapshot may stand
in). A 4xx is never taken for an empty result, so nothing is silently counted as zero.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.errors import UpstreamUnavailable
from shared.http import ServiceClient

M = TypeVar("M")


class UpstreamRefused(Exception):
    """The upstream refused the caller (401/403): their role may not read this part."""

    def __init__(self, upstream: str, status: int) -> None:
        super().__init__(f"the {upstream} service refused this caller ({status})")
        self.upstream = upstream
        self.status = status


class UpstreamFailed(UpstreamUnavailable):
    """The upstream answered, but not with what was asked (an error, or an unreadable body)."""


def read(upstream: str, response: httpx.Response, model: type[M] | TypeAdapter[M]) -> M:
    if response.status_code in (401, 403):
        raise UpstreamRefused(upstream, response.status_code)
    if response.status_code != 200:
        path = response.request.url.path
        raise UpstreamFailed(f"{upstream} answered {response.status_code} to {path}")
    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    try:
        return adapter.validate_json(response.content)
    except ValidationError as exc:
        raise UpstreamFailed(
            f"{upstream} answered {response.request.url.path} with a body this service cannot "
            f"read ({exc.error_count()} errors)"
        ) from exc


class PageOf(BaseModel):
    """A cursor page of any item type: items are validated by the caller's model."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None


class TypedClient(ServiceClient):
    """ServiceClient with typed GETs; `name` is the upstream as reports name it."""

    async def get(
        self, path: str, model: type[M] | TypeAdapter[M], *, token: str, params: Any = None
    ) -> M:
        response = await self.request("GET", path, token=token, params=params)
        return read(self.name, response, model)

    async def pages(
        self,
        path: str,
        model: type[M],
        *,
        token: str,
        params: Mapping[str, Any],
        limit: int,
    ) -> AsyncIterator[M]:
        """Every item of a cursor-paged list (lists of areas, never of households)."""
        adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
        cursor: str | None = None
        while True:
            query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
            page = await self.get(path, PageOf, token=token, params=query)
            try:
                items: list[M] = adapter.validate_python(page.items)
            except ValidationError as exc:
                raise UpstreamFailed(
                    f"{self.name} answered {path} with items this service cannot read"
                ) from exc
            for item in items:
                yield item
            if not page.next_cursor:
                return
            cursor = page.next_cursor


@asynccontextmanager
async def together() -> AsyncIterator[asyncio.TaskGroup]:
    """Run an upstream's calls concurrently; the first failure cancels the others and is
    raised as itself (not as an exception group), so a part fails as one."""
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
