"""The run's facts, loaded in bulk from the registry's streamed export (one household a
line); a registry without the export fails the run (`ExportUnavailable`).

Records are turned into `HouseholdFacts` a chunk at a time in a worker thread, so a large
area never blocks the event loop; a record that cannot be assessed is kept with the facts
it names, not dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from services.eligibility.household import HouseholdFacts
from services.eligibility.registry_client import RegistryClient
from services.eligibility.registry_facts import RegistryFactsInvalid, household_facts
from services.eligibility.runs.evaluate import Invalid

Progress = Callable[[int], Awaitable[None]]


@dataclass(slots=True)
class Loaded:
    households: list[HouseholdFacts] = field(default_factory=list)
    invalid: list[Invalid] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.households) + len(self.invalid)


def convert(records: list[dict[str, Any]], year: int, into: Loaded) -> None:
    for record in records:
        identity = str(record.get("id"))
        if identity in into.seen:  # a household listed twice is assessed once
            continue
        into.seen.add(identity)
        try:
            into.households.append(household_facts(record, year))
        except RegistryFactsInvalid as exc:
            into.invalid.append(
                Invalid(
                    household_id=str(record.get("id")),
                    village_code=str(record.get("village_code")),
                    errors=[e.as_dict() for e in exc.errors],
                )
            )


async def _drain(
    records: AsyncIterator[dict[str, Any]], year: int, into: Loaded, chunk: int, progress: Progress
) -> None:
    pending: list[dict[str, Any]] = []
    async for record in records:
        pending.append(record)
        if len(pending) >= chunk:
            await asyncio.to_thread(convert, pending, year, into)
            pending = []
            await progress(into.count)
    if pending:
        await asyncio.to_thread(convert, pending, year, into)
    await progress(into.count)


async def load(
    registry: RegistryClient,
    area: str,
    year: int,
    *,
    token: str,
    chunk: int,
    progress: Progress,
) -> Loaded:
    loaded = Loaded()
    await _drain(registry.export_households(area, year, token=token), year, loaded, chunk, progress)
    return loaded
