"""Parameters in the database: seeding from the files, the cached set, officials' values.

The YAML files under `parameters/data` are policy as code: reviewed in the repository and
loaded at start (a value without a source refuses to load). Their values are written to
`parameter_value` idempotently, next to the values officials add through the API; the
engine's `ParameterSet` is rebuilt from the table whenever the table changes, so several
replicas agree on the parameters within one request of a write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.errors import InvalidParameter
from services.eligibility.parameters.loader import DATA_DIR, load_directory
from services.eligibility.parameters.model import ParameterDefinition, ParameterRecord
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.policy.models import ORIGIN_FILE, ORIGIN_OFFICIAL, ParameterValue
from services.eligibility.policy.schemas import ParameterValueCreate
from shared import audit
from shared.auth import DISTRICT_CODE, Principal, Role
from shared.errors import Conflict, FieldError

log = structlog.get_logger("eligibility.parameters")

# Seeding runs in every replica at start; they queue on this lock and the later ones find
# nothing to do.
_SEED_LOCK = 0x656C6967  # "elig"
FILES = Principal("system:parameter-files", Role.service, DISTRICT_CODE)


def record_of(row: ParameterValue) -> ParameterRecord:
    value = tuple(row.codes) if row.codes is not None else row.number
    return ParameterRecord(
        name=row.name, effective=row.effective, value=value, source=row.source, note=row.note
    )


def _columns(record: ParameterRecord) -> dict[str, Any]:
    codes = None if not isinstance(record.value, tuple) else list(record.value)
    number = None if isinstance(record.value, tuple) else record.value
    return {"number": number, "codes": codes, "source": record.source, "note": record.note}


def _snapshot(row: ParameterValue) -> dict[str, Any]:
    return {
        "name": row.name,
        "effective": row.effective.isoformat(),
        "value": list(row.codes) if row.codes is not None else str(row.number),
        "source": row.source,
        "note": row.note,
        "origin": row.origin,
    }


@dataclass(frozen=True, slots=True)
class SeedReport:
    inserted: int
    changed: int
    removed: int
    kept_official: int


async def seed_from_files(session: AsyncSession, directory: Path = DATA_DIR) -> SeedReport:
    """Make the table hold exactly the files' values (plus officials' own), idempotently."""
    await session.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _SEED_LOCK})
    definitions, records = load_directory(directory)
    ParameterSet(definitions, records)  # units, duplicates: refused at load, before writing
    rows = list((await session.scalars(sa.select(ParameterValue))).all())
    by_key = {(r.name, r.effective): r for r in rows}
    inserted = changed = kept = 0
    in_files = set()
    for record in records:
        key = (record.name, record.effective)
        in_files.add(key)
        row = by_key.get(key)
        if row is None:
            row = ParameterValue(
                name=record.name, effective=record.effective, origin=ORIGIN_FILE, **_columns(record)
            )
            session.add(row)
            await session.flush()
            await audit.record(
                session, FILES, "parameter.seed", "parameter", _id(row), after=_snapshot(row)
            )
            inserted += 1
        elif record_of(row) != record:
            if row.origin == ORIGIN_OFFICIAL:
                # An official's entry on the same date stays; the file needs reconciling.
                log.warning(
                    "parameter_file_conflict",
                    parameter=record.name,
                    effective=str(record.effective),
                )
                kept += 1
                continue
            before = _snapshot(row)
            for column, value in _columns(record).items():
                setattr(row, column, value)
            await session.flush()
            await audit.record(
                session, FILES, "parameter.file_change", "parameter", _id(row),
                before=before, after=_snapshot(row),
            )  # fmt: skip
            changed += 1
    removed = 0
    for row in rows:
        if row.origin == ORIGIN_FILE and (row.name, row.effective) not in in_files:
            await audit.record(
                session,
                FILES,
                "parameter.file_removal",
                "parameter",
                _id(row),
                before=_snapshot(row),
            )
            await session.delete(row)
            removed += 1
    await session.flush()
    return SeedReport(inserted, changed, removed, kept)


def _id(row: ParameterValue) -> str:
    return f"{row.name}@{row.effective.isoformat()}"


_FINGERPRINT = sa.select(
    sa.func.count(),
    sa.func.coalesce(sa.func.max(ParameterValue.id), 0),
    sa.func.max(ParameterValue.updated_at),
)


def build_set(
    rows: Iterable[ParameterValue], definitions: dict[str, ParameterDefinition]
) -> ParameterSet:
    records = []
    for row in rows:
        if row.name not in definitions:
            log.warning("parameter_without_definition", parameter=row.name)
            continue
        records.append(record_of(row))
    return ParameterSet(definitions, records)


class ParameterCache:
    """The current `ParameterSet`, rebuilt when the table's fingerprint changes.

    The fingerprint (row count, largest id, latest update) is one cheap query per request,
    so a value added through another replica is seen by the next request here.
    """

    def __init__(self, definitions: dict[str, ParameterDefinition]) -> None:
        self.definitions = definitions
        self._key: tuple[Any, ...] | None = None
        self._set: ParameterSet | None = None

    async def current(self, session: AsyncSession) -> ParameterSet:
        return (await self.current_with_revision(session))[0]

    async def current_with_revision(self, session: AsyncSession) -> tuple[ParameterSet, str]:
        """The set and its revision (rows / largest id / latest change), for a run's record."""
        key = tuple((await session.execute(_FINGERPRINT)).one())
        current = self._set
        if key != self._key or current is None:
            rows = (await session.scalars(sa.select(ParameterValue))).all()
            current = build_set(rows, self.definitions)
            self._set, self._key = current, key
        count, largest, changed = key
        stamp = changed.isoformat() if isinstance(changed, datetime) else "-"
        return current, f"{count}/{largest}/{stamp}"


async def history(session: AsyncSession, name: str) -> list[ParameterValue]:
    query = (
        sa.select(ParameterValue)
        .where(ParameterValue.name == name)
        .order_by(ParameterValue.effective)
    )
    return list((await session.scalars(query)).all())


async def all_rows(session: AsyncSession) -> list[ParameterValue]:
    query = sa.select(ParameterValue).order_by(ParameterValue.name, ParameterValue.effective)
    return list((await session.scalars(query)).all())


async def add_value(
    session: AsyncSession,
    principal: Principal,
    params: ParameterSet,
    name: str,
    data: ParameterValueCreate,
) -> ParameterValue:
    """A dated value an official enters, with its source; checked as the files are."""
    definition = params.definition(name)  # 404 for an unknown parameter
    if definition.validity == "calendar_year" and (data.effective.month, data.effective.day) != (
        1,
        1,
    ):
        raise InvalidParameter(
            f"{name} is a yearly value: it takes effect on 1 January of its year",
            errors=[FieldError(("body", "effective"), "must be 1 January of the year")],
        )
    try:
        record = ParameterRecord(
            name=name,
            effective=data.effective,
            value=tuple(data.value) if isinstance(data.value, list) else data.value,
            source=data.source,
            note=data.note,
        )
    except ValidationError as exc:
        raise InvalidParameter.from_validation(exc, "body") from exc
    existing = await session.scalar(
        sa.select(ParameterValue).where(
            ParameterValue.name == name, ParameterValue.effective == data.effective
        )
    )
    if existing is not None:
        raise Conflict(
            f"{name} already has a value effective {data.effective.isoformat()} "
            f"({existing.source}); values are never overwritten — add one with another date",
            extra={"parameter": name, "effective": data.effective.isoformat()},
        )
    try:
        params.with_record(record)
    except InvalidParameter as exc:
        errors = [FieldError(("body", *e.loc), e.msg, e.type) for e in exc.errors]
        raise InvalidParameter(exc.detail, errors=errors) from exc
    row = ParameterValue(
        name=name,
        effective=data.effective,
        origin=ORIGIN_OFFICIAL,
        entered_by=principal.subject,
        **_columns(record),
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session, principal, "parameter.add", "parameter", _id(row), after=_snapshot(row)
    )
    return row


def group_of(name: str) -> str:
    return name.split(".", 1)[0]
