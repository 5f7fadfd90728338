"""Asking the upstreams for a report's parts: concurrently, each within a deadline, and
falling back to the part's last snapshot (marked "cached", with its age) or to nothing
(marked "missing": its figures are null) when an upstream cannot answer.

A refused caller (401/403 upstream) is never served a snapshot: a snapshot answers "the
upstream is down", never "the upstream says no".
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx
import structlog
from pydantic import BaseModel, ValidationError

from services.reporting.reports.common import SourceState, SourceStatus
from services.reporting.snapshots.store import Snapshot, SnapshotKey, SnapshotStore
from services.reporting.upstreams.base import UpstreamRefused
from shared.auth import Principal
from shared.errors import UpstreamUnavailable

M = TypeVar("M", bound=BaseModel)
log = structlog.get_logger("reporting.sources")


@dataclass(frozen=True, slots=True)
class Part(Generic[M]):
    """One upstream's part of a report: what it parses into and how to fetch it."""

    upstream: str
    model: type[M]
    fetch: Callable[[], Awaitable[M]] | None  # None: the upstream is not configured


@dataclass(frozen=True, slots=True)
class Ask:
    """Who asks for which report with which parameters (the snapshot key's other half)."""

    report: str
    principal: Principal
    area_code: str
    params: str


@dataclass(frozen=True, slots=True)
class Outcome:
    status: SourceStatus
    data: BaseModel | None


class Collected:
    def __init__(self, outcomes: Mapping[str, Outcome]) -> None:
        self._outcomes = dict(outcomes)

    def get(self, name: str, model: type[M]) -> M | None:
        data = self._outcomes[name].data
        if data is None:
            return None
        assert isinstance(data, model)
        return data

    @property
    def sources(self) -> dict[str, SourceStatus]:
        return {name: o.status for name, o in self._outcomes.items()}

    @property
    def partial(self) -> bool:
        return any(o.data is None for o in self._outcomes.values())


@dataclass(frozen=True, slots=True)
class Deadlines:
    upstream_seconds: float
    fresh_seconds: float
    max_age_seconds: float


# Told (report, upstream, state) of every part: the service counts them for /metrics.
Observer = Callable[[str, str, SourceState], None]


class Collector:
    def __init__(
        self, store: SnapshotStore, deadlines: Deadlines, observe: Observer | None = None
    ) -> None:
        self.store = store
        self.deadlines = deadlines
        self.observe = observe

    async def collect(self, ask: Ask, parts: Mapping[str, Part[Any]]) -> Collected:
        names = list(parts)
        outcomes = await asyncio.gather(*(self._one(ask, name, parts[name]) for name in names))
        if self.observe is not None:
            for name, outcome in zip(names, outcomes, strict=True):
                self.observe(ask.report, name, outcome.status.state)
        return Collected(dict(zip(names, outcomes, strict=True)))

    async def _one(self, ask: Ask, name: str, part: Part[Any]) -> Outcome:
        key = SnapshotKey(ask.report, name, ask.principal.role.value, ask.area_code, ask.params)
        if self.deadlines.fresh_seconds > 0:
            recent = await self._snapshot(key, part, self.deadlines.fresh_seconds, None)
            if recent is not None:
                return recent
        if part.fetch is None:
            return _missing(f"the {part.upstream} service is not configured")
        try:
            async with asyncio.timeout(self.deadlines.upstream_seconds):
                data = await part.fetch()
        except UpstreamRefused as exc:
            return _missing(str(exc))
        except TimeoutError:
            error = (
                f"the {part.upstream} service did not answer within "
                f"{self.deadlines.upstream_seconds:g} s"
            )
        except UpstreamUnavailable as exc:
            error = exc.detail
        except httpx.HTTPError as exc:  # anything else on the wire: the part is not there
            error = f"the {part.upstream} service failed: {type(exc).__name__}"
        else:
            now = datetime.now(UTC)
            await self.store.put(key, Snapshot(now, data.model_dump(mode="json")))
            return Outcome(
                SourceStatus(state=SourceState.fresh, age_seconds=0.0, fetched_at=now), data
            )
        log.warning("upstream part missing", report=ask.report, upstream=part.upstream, error=error)
        stale = await self._snapshot(key, part, self.deadlines.max_age_seconds, error)
        return stale or _missing(error)

    async def _snapshot(
        self, key: SnapshotKey, part: Part[Any], max_age: float, error: str | None
    ) -> Outcome | None:
        snapshot = await self.store.get(key)
        if snapshot is None:
            return None
        age = (datetime.now(UTC) - snapshot.fetched_at).total_seconds()
        if age > max_age:
            return None
        try:
            data = part.model.model_validate(snapshot.payload)
        except ValidationError:
            return None  # a snapshot of an older layout: useless, not an error
        status = SourceStatus(
            state=SourceState.cached,
            age_seconds=round(max(age, 0.0), 1),
            fetched_at=snapshot.fetched_at,
            error=error,
        )
        return Outcome(status, data)


def _missing(error: str) -> Outcome:
    return Outcome(
        SourceStatus(state=SourceState.missing, age_seconds=None, fetched_at=None, error=error),
        None,
    )
