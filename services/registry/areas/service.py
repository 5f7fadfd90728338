"""Writing towns, villages, key-village designations and yearly village records.

Every write to a village (its row, a designation or a year record) first locks the village
row FOR NO KEY UPDATE. That serialises writes to one village, and because the lock is the
transaction's first write it also fixes the order of their transaction ids. The change
feed is ordered by transaction id and carries the village's full state, so a client that
applies the feed in order always ends with the latest state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import reading
from services.registry.areas.models import KeyVillageDesignation, Town, Village, VillageYear
from services.registry.areas.reading import visible_towns, visible_villages
from services.registry.areas.schemas import (
    TOWN_KIND_ZH,
    VILLAGE_KIND_ZH,
    DesignationCreate,
    DesignationLoad,
    DesignationRead,
    DesignationUpdate,
    TownIn,
    VillageCreate,
    VillageDetail,
    VillageUpdate,
    VillageYearLoad,
    VillageYearRead,
    VillageYearWrite,
)
from shared import audit, changes
from shared.auth import DISTRICT_CODE, Principal, Role
from shared.errors import Conflict, FieldError, InvalidInput, NotFound

Precondition = Callable[[int], None]
LOADER = Principal("system:area-loader", Role.service, DISTRICT_CODE)


async def create_village(
    session: AsyncSession, principal: Principal, data: VillageCreate
) -> VillageDetail:
    town = await session.scalar(
        sa.select(Town.code).where(Town.code == data.town_code, visible_towns(principal))
    )
    if town is None:
        # Outside the caller's town it does not exist for them, exactly like a wrong code.
        raise InvalidInput(
            f"town {data.town_code} does not exist",
            errors=[FieldError(("body", "code"), "the first nine digits name no town")],
        )
    if await session.get(Village, data.code) is not None:
        raise Conflict(f"village {data.code} already exists")
    await _check_name_free(session, data.town_code, data.name)
    village = Village(
        code=data.code,
        town_code=data.town_code,
        name=data.name,
        kind=VILLAGE_KIND_ZH[data.kind],
        code_generated=data.code_generated,
        name_generated=data.name_generated,
    )
    session.add(village)
    await session.flush()
    return await _publish(session, principal, "village.create", village, before=None)


async def update_village(
    session: AsyncSession,
    principal: Principal,
    code: str,
    data: VillageUpdate,
    precondition: Precondition,
) -> VillageDetail:
    village, version = await _lock_village(session, principal, code)
    precondition(version)
    before = reading.village_facts(village)
    fields = data.model_dump(exclude_unset=True)
    nulls = [name for name, value in fields.items() if value is None]
    if nulls:  # every fact of a village is required; null would not mean "unknown"
        raise InvalidInput(
            "these fields cannot be removed: " + ", ".join(nulls),
            errors=[FieldError(("body", name), "may not be null") for name in nulls],
        )
    if "name" in fields and fields["name"] != village.name:
        await _check_name_free(session, village.town_code, fields["name"])
    if "kind" in fields:
        fields["kind"] = VILLAGE_KIND_ZH[fields["kind"]]
    for name, value in fields.items():
        setattr(village, name, value)
    if reading.village_facts(village) == before:
        return await reading.detail(session, code)  # nothing changed: nothing to record
    await session.flush()
    return await _publish(session, principal, "village.update", village, before=before)


async def add_designation(
    session: AsyncSession, principal: Principal, code: str, data: DesignationCreate
) -> DesignationRead:
    village, _ = await _lock_village(session, principal, code)
    exists = await session.scalar(
        sa.select(KeyVillageDesignation.id).where(
            KeyVillageDesignation.village_code == code,
            KeyVillageDesignation.designation == data.designation,
        )
    )
    if exists is not None:
        raise Conflict(f"village {code} already has the {data.designation} designation")
    session.add(KeyVillageDesignation(village_code=code, **data.model_dump()))
    await session.flush()
    detail = await _publish(session, principal, "village.designation.create", village, before=None)
    return next(d for d in detail.designations if d.designation == data.designation)


async def update_designation(
    session: AsyncSession,
    principal: Principal,
    code: str,
    designation: str,
    data: DesignationUpdate,
    precondition: Precondition,
) -> DesignationRead:
    village, _ = await _lock_village(session, principal, code)
    row = await reading.one(
        session,
        sa.select(KeyVillageDesignation, reading.DESIGNATION_VERSION).where(
            KeyVillageDesignation.village_code == code,
            KeyVillageDesignation.designation == designation,
        ),
    )
    if row is None:
        raise NotFound(f"village {code} has no {designation} designation")
    record, version = row
    precondition(version)
    if data.exit_year is not None and data.exit_year < record.designated_year:
        raise InvalidInput(
            "the exit year is before the designation year",
            errors=[FieldError(("body", "exit_year"), f"before {record.designated_year}")],
        )
    before = {"designation": designation, "exit_year": record.exit_year}
    if record.exit_year == data.exit_year:
        return reading.designation_read(record, version)
    record.exit_year = data.exit_year
    await session.flush()
    detail = await _publish(
        session, principal, "village.designation.update", village, before=before
    )
    return next(d for d in detail.designations if d.designation == designation)


async def put_year(
    session: AsyncSession,
    principal: Principal,
    code: str,
    year: int,
    data: VillageYearWrite,
    precondition: Callable[[int | None], None],
) -> tuple[VillageYearRead, bool]:
    """Create or replace the village's record of `year`; True when it was created."""
    village, _ = await _lock_village(session, principal, code)
    row = await reading.one(
        session,
        sa.select(VillageYear, reading.YEAR_VERSION).where(
            VillageYear.village_code == code, VillageYear.year == year
        ),
    )
    precondition(row[1] if row else None)
    values = data.model_dump()
    before: dict[str, Any] | None = None
    if row is None:
        session.add(VillageYear(village_code=code, year=year, **values))
    else:
        record = row[0]
        if reading.year_facts(record) == values:
            return reading.year_read(record, row[1]), False
        before = {"year": year, **reading.year_read(record, row[1]).model_dump(mode="json")}
        for name, value in values.items():
            setattr(record, name, value)
    await session.flush()
    detail = await _publish(session, principal, "village.year.put", village, before=before)
    return next(y for y in detail.years if y.year == year), row is None


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Rows inserted or changed by `load_areas`; rows already equal count as nothing."""

    towns: int
    villages: int
    designations: int
    village_years: int
    villages_published: int


async def load_areas(
    session: AsyncSession,
    towns: Sequence[TownIn],
    villages: Sequence[VillageCreate],
    designations: Sequence[DesignationLoad],
    village_years: Sequence[VillageYearLoad],
    *,
    actor: Principal = LOADER,
) -> LoadResult:
    """Upsert a district's areas in one go (the demo loader, a provincial bootstrap).

    Idempotent: a row equal to the stored one is not written, so a re-run writes nothing,
    publishes nothing and leaves every ETag as it was. The caller owns the transaction.
    """
    town_rows = [{**t.model_dump(), "kind": TOWN_KIND_ZH[t.kind]} for t in towns]
    village_rows = [
        {**v.model_dump(), "town_code": v.town_code, "kind": VILLAGE_KIND_ZH[v.kind]}
        for v in villages
    ]
    touched_towns = await _upsert(session, Town, town_rows, ("code",))
    touched_villages = await _upsert(session, Village, village_rows, ("code",))
    touched_designations = await _upsert(
        session,
        KeyVillageDesignation,
        [d.model_dump() for d in designations],
        ("village_code", "designation"),
    )
    touched_years = await _upsert(
        session, VillageYear, [y.model_dump() for y in village_years], ("village_code", "year")
    )
    published = sorted(
        {key[0] for key in [*touched_villages, *touched_designations, *touched_years]}
    )
    for code, detail in (await reading.details(session, published)).items():
        await changes.append(
            session, "village", code, "upsert", code, payload=detail.model_dump(mode="json")
        )
    result = LoadResult(
        len(touched_towns),
        len(touched_villages),
        len(touched_designations),
        len(touched_years),
        len(published),
    )
    if published or touched_towns:
        summary = {**asdict(result), "village_codes": published}
        await audit.record(session, actor, "areas.load", "area", DISTRICT_CODE, after=summary)
    return result


# --- helpers -------------------------------------------------------------------------


async def _lock_village(
    session: AsyncSession, principal: Principal, code: str
) -> tuple[Village, int]:
    row = await reading.one(
        session,
        sa.select(Village, reading.VILLAGE_VERSION)
        .where(Village.code == code, visible_villages(principal))
        .with_for_update(key_share=True),
    )
    if row is None:
        raise NotFound(f"no village {code}")
    return row


async def _check_name_free(session: AsyncSession, town_code: str, name: str) -> None:
    taken = await session.scalar(
        sa.select(Village.code).where(Village.town_code == town_code, Village.name == name)
    )
    if taken is not None:
        raise Conflict(f"town {town_code} already has a village named {name} ({taken})")


async def _publish(
    session: AsyncSession,
    principal: Principal,
    action: str,
    village: Village,
    *,
    before: dict[str, Any] | None,
) -> VillageDetail:
    """Audit the write and put the village's new full state on the change feed."""
    detail = await reading.detail(session, village.code)
    payload = detail.model_dump(mode="json")
    after = {k: v for k, v in payload.items() if k != "etag"}
    await audit.record(
        session, principal, action, "village", village.code,
        area_code=village.code, before=before, after=after,
    )  # fmt: skip
    await changes.append(session, "village", village.code, "upsert", village.code, payload=payload)
    return detail


async def _upsert(
    session: AsyncSession,
    model: type[Any],
    rows: list[dict[str, Any]],
    key: tuple[str, ...],
) -> list[tuple[Any, ...]]:
    """INSERT … ON CONFLICT DO UPDATE only where a value differs; the keys of rows written."""
    keys = [tuple(row[k] for k in key) for row in rows]
    if len(set(keys)) != len(keys):
        duplicate = next(k for k in keys if keys.count(k) > 1)
        raise InvalidInput(f"{model.__tablename__} {duplicate} is given twice")
    touched: list[tuple[Any, ...]] = []
    # 500 rows a statement keeps the bind parameters far below PostgreSQL's 32 767.
    for chunk in reading.chunks(rows, 500):
        insert = pg_insert(model).values(list(chunk))
        columns = [c for c in chunk[0] if c not in key]
        upsert = insert.on_conflict_do_update(
            index_elements=list(key),
            set_={c: insert.excluded[c] for c in columns},
            where=sa.tuple_(*(getattr(model, c) for c in columns)).is_distinct_from(
                sa.tuple_(*(insert.excluded[c] for c in columns))
            ),
        ).returning(*(getattr(model, k) for k in key))
        touched.extend(tuple(r) for r in (await session.execute(upsert)).all())
    return touched
