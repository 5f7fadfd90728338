"""Idempotency-Key for POSTs from clients that retry (phones replaying an offline queue).

The key is claimed in its own short transaction, so a second request with the same key
sees the claim at once and answers 409 instead of waiting. The request's own transaction
marks the claim committed together with its effects; the response is stored right after.
So a retry can never repeat the effects: it replays the stored answer, or — in the tiny
window between commit and storing — answers 409.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import bearer_token, current_principal
from shared.errors import Conflict, FieldError, InvalidInput
from shared.models import IdempotencyKey

HEADER = "idempotency-key"
_REPLAYED_HEADERS = ("content-type", "location", "etag")


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
            existing = await session.get(IdempotencyKey, (claim.account, claim.key))
        if existing is None:  # released between our insert and read: the caller retries
            raise Conflict("a request with this Idempotency-Key just finished; retry")
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
        raise Conflict("a request with this Idempotency-Key is still being processed")

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
