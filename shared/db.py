"""Engine, declarative base and the one-transaction-per-request session.

The request's session commits *before* the response is sent (`scope="function"`), so a
commit that fails (a deferred constraint, a serialization failure, a lost connection)
turns into an error response instead of a 200 the client would trust.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.exc import StaleDataError

from shared.errors import Conflict, PreconditionFailed

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs from ops and point them at asyncpg."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        async_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await _before_commit(request, session)
            await session.commit()
        except StaleDataError as exc:
            await session.rollback()
            raise PreconditionFailed("the record changed since it was read") from exc
        except IntegrityError as exc:
            await session.rollback()
            raise Conflict(f"the change conflicts with existing data: {_pg_message(exc)}") from exc
        except BaseException:
            await session.rollback()
            raise


async def _before_commit(request: Request, session: AsyncSession) -> None:
    # Plumbing that must commit atomically with the request's effects (idempotency claims).
    for hook in getattr(request.app.state, "before_commit", ()):
        await hook(request, session)


def _pg_message(exc: DBAPIError) -> str:
    orig = getattr(exc, "orig", None)
    detail = getattr(orig, "__cause__", None) or orig
    text = str(detail).splitlines()[0] if detail else "integrity error"
    # Constraint messages name columns, never values: values may be personal data.
    return text.split(" DETAIL:")[0]


# The session a request works in; the framework commits it, services only flush.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
