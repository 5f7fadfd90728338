"""Idempotency-Key for POSTs from clients that retry (phones replaying an offline queue).

The key is claimed in its own short transaction, so a second request with the same key
sees the claim at once and answers 409 instead of waiting. The request's own transaction
marks the claim committed together with its effects; the response is stored right after.
So a retry can never repeat the effects: it replays the stored answer, or — in the tiny
window between commit and storing — answers 409. If the worker died in that window the
answer is lost for good: the retry is told the request was applied, never given a made-up
replay.

Keys older than the TTL are purged by a task each service's lifespan runs
(`purging_expired_keys`), not only when their account sends them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
import structlog
from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import bearer_token, current_principal
from shared.errors import Conflict, FieldError, InvalidInput
from shared.models import IdempotencyKey

HEADER = "idempotency-key"
_REPLAYED_HEADERS = ("content-type", "location", "etag")

PURGE_EVERY = timedelta(hours=1)
PURGE_BATCH = 1000
# Stopping waits for the batch being deleted (one short statement); only a database that
# hangs makes shutdown cancel the purge instead.
_PURGE_STOP_GRACE_SECONDS = 10.0


class AnswerLost(Conflict):
    """Its own problem type, so a client can tell "stop resending" from "retry later"."""

    title = "Applied, answer not kept"
    type_slug = "idempotency-answer-lost"


@dataclass(frozen=True, slots=True)
class Claim:
    account: str
    key: str


current_claim: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)


def _fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.url.path.encode() + b"\n")
    digest.update(body)
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        ttl: timedelta,
        stale_after: timedelta,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.ttl = ttl
        self.stale_after = stale_after

    async def claim(self, claim: Claim, request: Request, fingerprint: str) -> Response | None:
        """Claim the key, or answer for it: a replayed response, 409 in flight, 422 misuse."""
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                sa.delete(IdempotencyKey).where(
                    IdempotencyKey.account == claim.account,
                    IdempotencyKey.key == claim.key,
                    sa.or_(
                        IdempotencyKey.created_at < sa.func.now() - self.ttl,
                        sa.and_(
                            IdempotencyKey.state == "in_flight",
                            IdempotencyKey.created_at < sa.func.now() - self.stale_after,
                        ),
                    ),
                )
            )
            inserted = await session.scalar(
                insert(IdempotencyKey)
                .values(
                    account=claim.account,
                    key=claim.key,
                    method=request.method,
                    path=request.url.path,
                    fingerprint=fingerprint,
                    state="in_flight",
                )
                .on_conflict_do_nothing()
                .returning(IdempotencyKey.key)
            )
            if inserted is not None:
                return None
            found = (
                await session.execute(
                    sa.select(
                        IdempotencyKey,
                        # The database's clock, as for every other age of a key here.
                        IdempotencyKey.created_at < sa.func.now() - self.stale_after,
                    ).where(
                        IdempotencyKey.account == claim.account, IdempotencyKey.key == claim.key
                    )
                )
            ).one_or_none()
        if found is None:  # released between our insert and read: the caller retries
            raise Conflict("a request with this Idempotency-Key just finished; retry")
        existing, stale = found
        if existing.fingerprint != fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was used for a different request",
                errors=[FieldError(("header", "Idempotency-Key"), "reused with another body")],
            )
        if existing.state == "done" and existing.response_status is not None:
            headers = dict(existing.response_headers or {})
            headers["idempotent-replayed"] = "true"
            return Response(
                existing.response_body or b"", status_code=existing.response_status, headers=headers
            )
        if existing.state == "committed" and stale:
            # Its effects committed but the worker died before storing the answer. Resending
            # must not apply it twice and there is nothing true to replay: without this the
            # client would hear "still being processed" and keep resending until the TTL.
            raise AnswerLost(
                "the request with this Idempotency-Key was applied, but its answer was not "
                "kept; do not resend it: read the resource again to see the result"
            )
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; retry in a moment"
        )

    async def mark_committed(self, session: AsyncSession, claim: Claim) -> None:
        await session.execute(
            sa.update(IdempotencyKey)
            .where(IdempotencyKey.account == claim.account, IdempotencyKey.key == claim.key)
            .values(state="committed")
        )

    async def complete(self, claim: Claim, response: Response) -> None:
        headers = {k: v for k, v in response.headers.items() if k in _REPLAYED_HEADERS}
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                sa.update(IdempotencyKey)
                .where(IdempotencyKey.account == claim.account, IdempotencyKey.key == claim.key)
                .values(
                    state="done",
                    response_status=response.status_code,
                    response_headers=headers,
                    response_body=bytes(response.body),
                )
            )

    async def release(self, claim: Claim) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                sa.delete(IdempotencyKey).where(
                    IdempotencyKey.account == claim.account,
                    IdempotencyKey.key == claim.key,
                    IdempotencyKey.state == "in_flight",
                )
            )


async def purge_expired_keys(
    sessionmaker: async_sessionmaker[AsyncSession],
    ttl: timedelta,
    *,
    batch_size: int = PURGE_BATCH,
    stop: asyncio.Event | None = None,
) -> int:
    """Delete the keys older than `ttl`, whatever their state; returns how many."""
    expired = (
        sa.select(IdempotencyKey.account, IdempotencyKey.key)
        .where(IdempotencyKey.created_at < sa.func.now() - ttl)
        .limit(batch_size)
        # A key a request (or another replica's purge) holds is skipped, never waited for.
        .with_for_update(skip_locked=True)
    )
    delete = (
        sa.delete(IdempotencyKey)
        .where(sa.tuple_(IdempotencyKey.account, IdempotencyKey.key).in_(expired))
        .execution_options(synchronize_session=False)
    )
    total = 0
    while True:
        # A bounded batch per transaction, so row locks last one short statement.
        async with sessionmaker() as session, session.begin():
            deleted = cast(sa.CursorResult[Any], await session.execute(delete)).rowcount
        total += deleted
        if deleted < batch_size or (stop is not None and stop.is_set()):
            return total


async def _purge_periodically(
    sessionmaker: async_sessionmaker[AsyncSession],
    ttl: timedelta,
    every: timedelta,
    stop: asyncio.Event,
) -> None:
    log = structlog.get_logger("idempotency")
    while not stop.is_set():
        try:
            deleted = await purge_expired_keys(sessionmaker, ttl, stop=stop)
        except Exception:
            # The database may be away for a while (restart, failover): the keys just wait
            # for the next round, and the service goes on.
            log.warning("purging expired idempotency keys failed", exc_info=True)
        else:
            if deleted:
                log.info("purged expired idempotency keys", deleted=deleted)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every.total_seconds())


@asynccontextmanager
async def purging_expired_keys(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    ttl: timedelta,
    every: timedelta = PURGE_EVERY,
) -> AsyncIterator[asyncio.Task[None]]:
    """Purge expired keys at once, then every `every`, while the context is open.

    Meant for a service's lifespan. The first round runs at start because replicas are
    often restarted sooner than `every`. Replicas purging together split the rows between
    them (SKIP LOCKED).
    """
    stop = asyncio.Event()
    task = asyncio.create_task(
        _purge_periodically(sessionmaker, ttl, every, stop), name="idempotency-purge"
    )
    try:
        yield task
    finally:
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, _PURGE_STOP_GRACE_SECONDS)  # cancels it on timeout


class IdempotentRoute(APIRoute):
    """Route class for routers whose POSTs honour Idempotency-Key."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if "POST" not in (self.methods or ()):
            return handler  # reads and other methods pay nothing for the wrapper

        async def idempotent_handler(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if request.method != "POST" or key is None:
                return await handler(request)
            if not 1 <= len(key) <= 255:
                raise InvalidInput(
                    "Idempotency-Key must be 1 to 255 characters",
                    errors=[FieldError(("header", "Idempotency-Key"), "bad length")],
                )
            # Keys are per account: two phones may pick the same key independently.
            principal = await current_principal(request, await bearer_token(request))
            store: IdempotencyStore = request.app.state.idempotency
            claim = Claim(principal.subject, key)
            replay = await store.claim(claim, request, _fingerprint(request, await request.body()))
            if replay is not None:
                return replay
            reset = current_claim.set(claim)
            try:
                response = await handler(request)
            except BaseException:
                await store.release(claim)
                raise
            finally:
                current_claim.reset(reset)
            if 200 <= response.status_code < 300 and hasattr(response, "body"):
                await store.complete(claim, response)
            else:
                await store.release(claim)
            return response

        return idempotent_handler


async def mark_claim_in_transaction(request: Request, session: AsyncSession) -> None:
    """Before-commit hook: the claim becomes 'committed' atomically with the effects."""
    claim = current_claim.get()
    if claim is not None:
        store: IdempotencyStore = request.app.state.idempotency
        await store.mark_committed(session, claim)
