"""Where snapshots live: a small in-memory LRU in front of the reporting database.

The database makes a snapshot outlive a restart and serve every replica; the memory keeps
the hot path off it. The database is never a reason for a report to fail: when it cannot
be read or written, the store logs it and carries on with what memory holds.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.snapshots.models import ReportSnapshot

log = structlog.get_logger("reporting.snapshots")


@dataclass(frozen=True, slots=True)
class SnapshotKey:
    report: str
    upstream: str
    role: str
    area_code: str
    params: str  # the report's parameters, canonical ("town_code=…&year=…")

    @property
    def text(self) -> str:
        return "|".join((self.report, self.upstream, self.role, self.area_code, self.params))


@dataclass(frozen=True, slots=True)
class Snapshot:
    fetched_at: datetime
    payload: dict[str, Any]


@dataclass(slots=True)
class _Entry:
    snapshot: Snapshot
    persisted_at: float  # monotonic time of the last database write; -inf if none


class SnapshotStore:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession] | None,
        *,
        memory_entries: int = 512,
        write_interval_seconds: float = 5.0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.memory_entries = memory_entries
        self.write_interval = write_interval_seconds
        self._memory: OrderedDict[str, _Entry] = OrderedDict()

    def _remember(self, key: str, entry: _Entry) -> None:
        self._memory[key] = entry
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_entries:
            self._memory.popitem(last=False)

    async def get(self, key: SnapshotKey) -> Snapshot | None:
        entry = self._memory.get(key.text)
        if entry is not None:
            self._memory.move_to_end(key.text)
            return entry.snapshot
        if self.sessionmaker is None:
            return None
        try:
            async with self.sessionmaker() as session:
                row = await session.get(ReportSnapshot, key.text)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            log.warning("snapshot read failed", error=type(exc).__name__)
            return None
        if row is None:
            return None
        snapshot = Snapshot(row.fetched_at, row.payload)
        self._remember(key.text, _Entry(snapshot, time.monotonic()))
        return snapshot

    async def put(self, key: SnapshotKey, snapshot: Snapshot) -> None:
        previous = self._memory.get(key.text)
        now = time.monotonic()
        if previous is not None and now - previous.persisted_at < self.write_interval:
            self._remember(key.text, _Entry(snapshot, previous.persisted_at))
            return
        self._remember(key.text, _Entry(snapshot, now))
        if self.sessionmaker is None:
            return
        values = {
            "key": key.text,
            "report": key.report,
            "upstream": key.upstream,
            "role": key.role,
            "area_code": key.area_code,
            "fetched_at": snapshot.fetched_at,
            "payload": snapshot.payload,
        }
        statement = insert(ReportSnapshot).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[ReportSnapshot.key],
            set_={
                "fetched_at": statement.excluded.fetched_at,
                "payload": statement.excluded.payload,
            },
            where=ReportSnapshot.fetched_at < statement.excluded.fetched_at,
        )
        try:
            async with self.sessionmaker() as session, session.begin():
                await session.execute(statement)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            log.warning("snapshot write failed", error=type(exc).__name__)
