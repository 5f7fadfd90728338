"""Runs execute in background tasks inside the app; progress lives in the database.

A run's task loads the facts, evaluates them column-wise in a worker thread, and stores the
results a chunk at a time (one multi-row INSERT per chunk, with the progress counter in the
same transaction). Any replica can report progress, since it is read from the table. A
task killed with its process leaves a run whose heartbeat stops; the next start of any
replica marks such runs interrupted.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.eligibility.parameters.store import ParameterSet
from services.eligibility.registry_client import RegistryClient
from services.eligibility.runs import models as m
from services.eligibility.runs.evaluate import evaluate
from services.eligibility.runs.loader import load
from shared.errors import DomainError

log = structlog.get_logger("eligibility.runs")
_REMEMBERED = 1000  # ended runs whose end a waiter may still ask about


class RunManager:
    def __init__(self, app: FastAPI, registry: RegistryClient, *, chunk: int) -> None:
        self.app = app
        self.registry = registry
        self.chunk = chunk
        self.tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._ended: dict[uuid.UUID, asyncio.Event] = {}  # runs whose task ended here

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        maker: async_sessionmaker[AsyncSession] = self.app.state.sessionmaker
        return maker

    def now(self) -> datetime:
        clock: Callable[[], datetime] = self.app.state.clock
        return clock()

    async def start(
        self, run_id: uuid.UUID, area: str, year: int, token: str, params: ParameterSet
    ) -> None:
        """Spawns the run's task; async, so FastAPI calls it on the event loop."""
        task = asyncio.create_task(self._execute(run_id, area, year, token, params))
        self.tasks[run_id] = task
        task.add_done_callback(lambda _: self._done(run_id))

    def _done(self, run_id: uuid.UUID) -> None:
        self.tasks.pop(run_id, None)
        while len(self._ended) > _REMEMBERED:  # oldest first: dicts keep insertion order
            del self._ended[next(iter(self._ended))]
        self._ended.setdefault(run_id, asyncio.Event()).set()

    async def wait(self, run_id: uuid.UUID) -> None:
        """Until this process's task of the run ends (at once if there is none)."""
        task = self.tasks.get(run_id)
        if task is not None:
            await asyncio.shield(task)

    async def wait_started(self, run_id: uuid.UUID | str) -> None:
        """Until the run's task — started once the response is sent — has ended (tests, tools)."""
        ended = self._ended.setdefault(uuid.UUID(str(run_id)), asyncio.Event())
        await ended.wait()

    async def _update(self, run_id: uuid.UUID, **values: Any) -> None:
        values.setdefault("heartbeat_at", self.now())
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                sa.update(m.AssessmentRun).where(m.AssessmentRun.id == run_id).values(**values)
            )

    async def _execute(
        self, run_id: uuid.UUID, area: str, year: int, token: str, params: ParameterSet
    ) -> None:
        try:
            await self._update(run_id, status=m.LOADING, started_at=self.now())

            async def loaded_so_far(count: int) -> None:
                await self._update(run_id, households_loaded=count)

            facts = await load(
                self.registry, area, year, token=token, chunk=self.chunk, progress=loaded_so_far
            )
            await self._update(
                run_id, status=m.EVALUATING, households_total=facts.count, source="export"
            )
            rows, summary = await asyncio.to_thread(
                evaluate, facts.households, facts.invalid, year, params
            )
            await self._update(run_id, status=m.STORING)
            stored = 0
            for first in range(0, len(rows), self.chunk):
                chunk = [{"run_id": run_id, **row} for row in rows[first : first + self.chunk]]
                stored += len(chunk)
                async with self.sessionmaker() as session, session.begin():
                    await session.execute(sa.insert(m.RunResult), chunk)
                    await session.execute(
                        sa.update(m.AssessmentRun)
                        .where(m.AssessmentRun.id == run_id)
                        .values(results_stored=stored, heartbeat_at=self.now())
                    )
            await self._update(run_id, status=m.DONE, summary=summary, finished_at=self.now())
        except asyncio.CancelledError:
            await asyncio.shield(
                self._finish(run_id, m.INTERRUPTED, "the service stopped during the run")
            )
            raise
        except DomainError as exc:
            await self._finish(run_id, m.FAILED, exc.detail)
        except Exception as exc:  # the run records it; the process carries on
            log.error("run_failed", run_id=str(run_id), exc_info=exc)
            await self._finish(run_id, m.FAILED, f"internal error ({type(exc).__name__})")

    async def _finish(self, run_id: uuid.UUID, status: str, error: str) -> None:
        try:
            await self._update(run_id, status=status, error=error[:2000], finished_at=self.now())
        except Exception as exc:  # pragma: no cover - the database itself is gone
            log.error("run_status_lost", run_id=str(run_id), exc_info=exc)

    async def shutdown(self) -> None:
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def sweep_stale(self, stale_after: timedelta) -> int:
        """Runs whose heartbeat stopped (their process died) are marked interrupted."""
        cutoff = self.now() - stale_after
        async with self.sessionmaker() as session, session.begin():
            result = await session.execute(
                sa.update(m.AssessmentRun)
                .where(
                    m.AssessmentRun.status.in_(m.RUNNING),
                    sa.func.coalesce(m.AssessmentRun.heartbeat_at, m.AssessmentRun.created_at) < cutoff,
                )
                .values(status=m.INTERRUPTED, error="no heartbeat: the process running it stopped",
                        finished_at=self.now())
            )  # fmt: skip
        return int(getattr(result, "rowcount", 0) or 0)
