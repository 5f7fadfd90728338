"""Load the demo district into a registry database through the import path.

`python -m services.registry load-demo`: generate 峄城区 (fixed seed), upsert its towns,
villages, key-village designations and village years, write its households as a flat file
(full layout, CSV) and import that file with the same service function the
`POST /v1/imports` endpoint calls, committing. Idempotent: a second run writes nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas.schemas import (
    DesignationLoad,
    TownIn,
    VillageCreate,
    VillageYearLoad,
)
from services.registry.areas.service import LoadResult, load_areas
from services.registry.demo.district import DEFAULT_SEED, generate_district, write_flat_file
from services.registry.demo.model import DemoDistrict
from services.registry.exchange.importer import ImportOptions, import_file
from services.registry.exchange.schemas import ImportReport, LayoutChoice
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import DISTRICT_CODE, Principal, Role
from shared.db import make_engine, make_sessionmaker
from shared.embedded import resolve_database_url
from shared.idcard import IdCipher

# The bootstrap administrator acting as a system actor: audit entries name the loader.
DEMO_LOADER = Principal("demo-loader", Role.district_admin, DISTRICT_CODE)
_TOWN_KIND = {"镇": "town", "街道": "subdistrict"}
_VILLAGE_KIND = {"村": "village", "居": "community"}


@dataclass(frozen=True, slots=True)
class DemoLoad:
    areas: LoadResult
    households: ImportReport
    seconds: float


async def load_demo_areas(session: AsyncSession, district: DemoDistrict) -> LoadResult:
    return await load_areas(
        session,
        [TownIn(code=t.code, name=t.name, kind=_TOWN_KIND[t.kind]) for t in district.towns],
        [
            VillageCreate(
                code=v.code,
                name=v.name,
                kind=_VILLAGE_KIND[v.kind],
                code_generated=v.code_generated,
                name_generated=v.name_generated,
            )
            for v in district.villages
        ],
        [
            DesignationLoad(
                village_code=d.village_code,
                designation=d.designation,
                designated_year=d.designated_year,
                exit_year=d.exit_year,
            )
            for d in district.key_designations
        ],
        [
            VillageYearLoad(
                village_code=y.village_code,
                year=y.year,
                households_total=y.households,
                population_total=y.population,
                rural_population=y.rural_population,
                per_capita_net_income=y.per_capita_net_income,
                collective_income=y.collective_income,
                road_hardened=y.hardened_road,
                bus_service=y.bus,
                power_grid=y.power,
                tap_water=y.tap_water,
                cable_tv=y.cable_tv,
                broadband=y.broadband,
                clinic=y.clinic,
                licensed_doctor=y.licensed_doctor,
                first_secretary=y.first_secretary,
                work_team=y.work_team,
            )
            for y in district.village_years
        ],
        actor=DEMO_LOADER,
    )


async def load_demo(
    session: AsyncSession, cipher: IdCipher, *, seed: int = DEFAULT_SEED
) -> DemoLoad:
    """Areas, then households through the import; the caller commits the session."""
    started = time.perf_counter()
    district = generate_district(seed)
    areas = await load_demo_areas(session, district)
    with tempfile.TemporaryDirectory(prefix="yicheng-demo-") as folder:
        path = Path(folder) / "贫困人口明细.csv"
        write_flat_file(district, path, layout="full", fmt="csv")
        with path.open("rb") as f:
            report = await import_file(
                session,
                DEMO_LOADER,
                cipher,
                f,
                ImportOptions(dry_run=False, layout=LayoutChoice.full, filename=path.name),
            )
    return DemoLoad(areas, report, time.perf_counter() - started)


async def load_demo_into(url: str, cipher: IdCipher, *, seed: int = DEFAULT_SEED) -> DemoLoad:
    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await load_demo(session, cipher, seed=seed)
    finally:
        await engine.dispose()


def cipher_of(settings: RegistrySettings) -> IdCipher:
    encryption_key, lookup_key = settings.id_keys()
    return IdCipher({1: encryption_key}, 1, lookup_key)


def run(settings: RegistrySettings, seed: int = DEFAULT_SEED) -> DemoLoad:
    """Migrate, then load; what `python -m services.registry load-demo` runs."""
    url = resolve_database_url(settings.database_url, settings.data_dir, settings.database_name)
    migrations.upgrade(Path(__file__).resolve().parents[1] / "migrations", url)
    return asyncio.run(load_demo_into(url, cipher_of(settings), seed=seed))


def describe(result: DemoLoad) -> str:
    h, p = result.households.households, result.households.persons
    a = result.areas
    return (
        f"areas: {a.towns} towns, {a.villages} villages, {a.designations} designations, "
        f"{a.village_years} village years written\n"
        f"households: {h.created} created, {h.updated} updated, {h.unchanged} unchanged; "
        f"persons: {p.created} created, {p.updated} updated, {p.unchanged} unchanged, "
        f"{p.left} left; {result.households.warnings} warnings\n"
        f"took {result.seconds:.1f} s"
    )
