"""Engine, declarative base and the sessions of a request.

`DbSession`, for writes, is one transaction per request that commits *before* the
response is sent (`scope="function"`), so a commit that fails (a deferred constraint, a
serialization failure, a lost connection) turns into an error response instead of a 200
the client would trust.

`DbReadSession`, for reads, runs each statement in autocommit mode: no BEGIN, no COMMIT,
one round trip per statement. Under PostgreSQL's READ COMMITTED every statement takes its
own snapshot anyway, so a read-only request sees exactly what it would inside a
transaction; it refuses to flush or run DML, so nothing can be written through it.

`read_connection`, for the hottest reads, hands out an asyncpg connection of a pool of
its own, read-only at the server (`default_transaction_read_only`), in autocommit, and
not reset on release: a statement there costs what asyncpg costs, without the session,
the ORM, SQLAlchemy's pool or its execution layer (≈0.3 ms of CPU per request). The pool
opens connections only when reads need them and closes them after 30 idle minutes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
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


# Connections older than this are replaced when next checked out, before a firewall, a
# proxy or the server's idle timeout can cut them.
POOL_RECYCLE_SECONDS = 1800


def make_engine(
    url: str, *, pool_size: int = 10, pool_recycle: int = POOL_RECYCLE_SECONDS
) -> AsyncEngine:
    """An engine with up to 2 × `pool_size` connections, each kept once opened.

    No overflow connections: under steady load above the pool's size they would be opened
    and closed per request, each costing a PostgreSQL backend process and an empty
    statement cache. No pool_pre_ping: with asyncpg it costs BEGIN, a ping and ROLLBACK
    (three round trips) on every checkout; a connection the server dropped fails its
    statement once, the pool is then invalidated and the next checkout reconnects.
    """
    return create_async_engine(
        async_url(url), pool_size=2 * pool_size, max_overflow=0, pool_recycle=pool_recycle
    )


async def _unchanged(connection: Driver) -> None:
    """Reset on release: only a transaction left open (never by a read) needs undoing."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def make_read_pool(url: str, *, size: int = 10) -> Driver:
    """The pool behind `read_connection` (an asyncpg.Pool); no connection opened yet."""
    return await asyncpg.create_pool(
        async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1),
        min_size=0,
        max_size=size,
        max_inactive_connection_lifetime=POOL_RECYCLE_SECONDS,
        reset=_unchanged,
        server_settings={"default_transaction_read_only": "on"},
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class ReadOnlySession(Session):
    """A session that refuses writes: it may only read."""

    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("a read-only session (DbReadSession) cannot write")
        super().flush(objects)

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_dml", False):
            raise RuntimeError("a read-only session (DbReadSession) cannot write")
        return super().execute(statement, *args, **kwargs)


def make_read_sessionmaker(
    bind: AsyncEngine | AsyncConnection,
) -> async_sessionmaker[AsyncSession]:
    """Sessions for read-only requests. On an engine they autocommit: each statement is its
    own round trip, with no BEGIN before it and no COMMIT or ROLLBACK after (a connection
    bound by a test keeps its transaction)."""
    if isinstance(bind, AsyncEngine):
        bind = bind.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(
        bind, expire_on_commit=False, autoflush=False, sync_session_class=ReadOnlySession
    )


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


# asyncpg.Connection (asyncpg ships no type information).
Driver = Any


async def driver_of(connection: AsyncConnection) -> Driver:
    """The asyncpg connection under a SQLAlchemy one (inside its transaction, if any)."""
    raw = await connection.get_raw_connection()
    return raw.driver_connection


@asynccontextmanager
async def read_connection(request: Request) -> AsyncIterator[Driver]:
    """An asyncpg connection for read-only statements, in autocommit.

    Nothing starts a transaction on it, so each statement is one round trip and returning
    the connection to the pool costs none. From `app.state.read_pool` (make_read_pool);
    `app.state.read_bind` (a test's connection) replaces it when set, and an app without
    either reads through its engine's pool.
    """
    state = request.app.state
    bind: AsyncEngine | AsyncConnection | None = getattr(state, "read_bind", None)
    if isinstance(bind, AsyncConnection):
        yield await driver_of(bind)
        return
    pool = getattr(state, "read_pool", None)
    if bind is None and pool is not None:
        async with pool.acquire() as connection:
            yield connection
        return
    async with (bind or state.engine).connect() as connection:
        driver = await driver_of(connection)
        try:
            yield driver
        except BaseException:
            # The pool never saw the statement fail: a connection the server dropped must
            # not go back to it.
            if driver.is_closed():
                await connection.invalidate()
            raise


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
    async with sessionmaker() as session:
        yield session


# The session a request works in; the framework commits it, services only flush.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
# The session of a request that only reads (GET): autocommit, nothing to commit, no writes.
DbReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
