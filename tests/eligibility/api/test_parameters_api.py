"""Parameters: every value of RULES.md §1 and §6 with its source, loaded from the reviewed
files into the database; officials add dated values; a missing year is a 409 naming the
parameter and the date, never a carried-over value or a zero."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.eligibility.errors import InvalidParameter
from services.eligibility.parameters.loader import DATA_DIR, default_definitions
from services.eligibility.policy import service
from services.eligibility.policy.models import ParameterValue
from shared.auth import Role
from shared.models import AuditEntry
from tests.eligibility.api.factories import TokenFactory

PLAN_VALUES = [
    ("poverty_line.national", "2010-01-01", "2300", "第二章第四节一（一）"),
    ("poverty_line.national", "2015-01-01", "2800", "第二章第四节一（一）"),
    ("poverty_line.provincial", "2010-01-01", "3000", "第二章第四节一（二）"),
    ("poverty_line.provincial", "2015-01-01", "3372", "第二章第四节一（二）"),
    ("poverty_line.provincial", "2017-01-01", "3509", "专栏21"),
    ("household_exit.stability_multiplier", "2016-01-01", "2", "第二章第四节二（一）"),
    ("village.exit_max_incidence", "2016-01-01", "0.02", "第二章第四节二（二）"),
    ("tekun.dispersed", "2017-01-01", "5070", "专栏22-6"),
]


@pytest.fixture
async def session(db: AsyncConnection) -> AsyncSession:
    return AsyncSession(bind=db, expire_on_commit=False, join_transaction_mode="create_savepoint")


async def test_every_parameter_is_listed_with_sourced_values(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    listed = await client.get("/v1/parameters", headers=auth(Role.finance_officer))
    assert listed.status_code == 200, listed.text
    names = {p["name"] for p in listed.json()}
    assert names == set(default_definitions())
    for parameter in listed.json():
        assert all(v["source"].strip() for v in parameter["values"])
    by_name = {p["name"]: p for p in listed.json()}
    for name, effective, value, source in PLAN_VALUES:
        if name not in by_name:
            continue
        found = {(v["effective"], v["value"], v["source"]) for v in by_name[name]["values"]}
        assert (effective, value, source) in found, name
    assert {"poverty_line.national", "poverty_line.provincial"} <= names

    group = await client.get(
        "/v1/parameters", params={"group": "poverty_line"}, headers=auth(Role.auditor)
    )
    assert {p["group"] for p in group.json()} == {"poverty_line"}


async def test_history_of_one_parameter(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    got = await client.get(
        "/v1/parameters/poverty_line.provincial", headers=auth(Role.village_cadre, "370404104001")
    )
    assert got.status_code == 200
    body = got.json()
    assert body["unit"] == "yuan" and body["validity"] == "calendar_year"
    assert body["index"] == "cpi.rural"
    assert [(v["effective"], v["value"], v["origin"]) for v in body["values"]] == [
        ("2010-01-01", "3000", "file"),
        ("2015-01-01", "3372", "file"),
        ("2017-01-01", "3509", "file"),
    ]
    unknown = await client.get("/v1/parameters/no_such.thing", headers=auth())
    assert unknown.status_code == 404
    assert unknown.json()["parameter"] == "no_such.thing"


async def test_the_line_is_derived_from_the_years_cpi(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    got = await client.get(
        "/v1/parameters/poverty_line.provincial/value", params={"on": "2018-12-31"}, headers=auth()
    )
    assert got.status_code == 200
    body = got.json()
    assert body["value"] == "3561.64"  # 3509 × 101.5 ÷ 100, rounded to the fen
    assert body["source"].startswith("derived")
    assert [(d["name"], d["effective"]) for d in body["derived_from"]] == [
        ("poverty_line.provincial", "2017-01-01"),
        ("cpi.rural", "2018-01-01"),
    ]


@pytest.mark.parametrize(
    ("name", "on", "why"),
    [
        # No 2020 line and no 2020 CPI: never 2019's line carried over.
        ("poverty_line.provincial", "2020-06-30", "no value for 2020"),
        # Before the first value of an until-next parameter.
        ("village.exit_max_incidence", "2015-12-31", "first value takes effect on 2016-01-01"),
        ("tekun.dispersed", "2016-06-30", "first value takes effect"),
    ],
)
async def test_a_date_without_a_value_is_409_naming_parameter_and_date(
    client: httpx.AsyncClient, auth: TokenFactory, name: str, on: str, why: str
) -> None:
    got = await client.get(f"/v1/parameters/{name}/value", params={"on": on}, headers=auth())
    assert got.status_code == 409, got.text
    problem = got.json()
    assert problem["type"] == "/problems/parameter-not-in-force"
    assert (problem["parameter"], problem["on"]) == (name, on)
    assert name in problem["detail"] and on in problem["detail"] and why in problem["detail"]


async def test_an_official_adds_a_dated_value_with_its_source(
    client: httpx.AsyncClient, auth: TokenFactory, eligibility_app: FastAPI, db: AsyncConnection
) -> None:
    admin = auth(Role.district_admin, subject="admin")
    added = await client.post(
        "/v1/parameters/poverty_line.provincial/values",
        json={"effective": "2020-01-01", "value": "3700", "source": "鲁扶贫发〔2020〕1号"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert added.headers["location"] == "/v1/parameters/poverty_line.provincial"
    assert added.json()["origin"] == "official" and added.json()["entered_by"] == "admin"
    now = await client.get(
        "/v1/parameters/poverty_line.provincial/value", params={"on": "2020-12-31"}, headers=admin
    )
    assert (now.status_code, now.json()["value"], now.json()["source"]) == (
        200, "3700", "鲁扶贫发〔2020〕1号",
    )  # fmt: skip
    entry = (
        await db.execute(
            sa.select(AuditEntry.action, AuditEntry.actor, AuditEntry.after).where(
                AuditEntry.entity_id == "poverty_line.provincial@2020-01-01"
            )
        )
    ).one()
    assert entry.action == "parameter.add" and entry.actor == "admin"
    assert entry.after["source"] == "鲁扶贫发〔2020〕1号"

    again = await client.post(
        "/v1/parameters/poverty_line.provincial/values",
        json={"effective": "2020-01-01", "value": "3800", "source": "another"},
        headers=admin,
    )
    assert again.status_code == 409
    assert again.json()["parameter"] == "poverty_line.provincial"


async def test_cpi_added_by_an_official_derives_the_line(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    admin = auth(Role.district_admin)
    before = await client.get(
        "/v1/parameters/poverty_line.provincial/value", params={"on": "2021-03-01"}, headers=admin
    )
    assert before.status_code == 409
    for year, index in ((2020, "101"), (2021, "100.5")):
        added = await client.post(
            "/v1/parameters/cpi.rural/values",
            json={"effective": f"{year}-01-01", "value": index, "source": "统计公报"},
            headers=admin,
        )
        assert added.status_code == 201, added.text
    after = await client.get(
        "/v1/parameters/poverty_line.provincial/value", params={"on": "2021-03-01"}, headers=admin
    )
    # 3632.87 × 1.01 = 3669.1987 → 3669.20; × 1.005 = 3687.546 → 3687.55
    assert after.status_code == 200 and after.json()["value"] == "3687.55"


@pytest.mark.parametrize(
    ("name", "body", "loc"),
    [
        ("tekun.dispersed", {"effective": "2019-01-01", "value": "5200"}, ["body", "source"]),
        ("tekun.dispersed", {"effective": "2019-01-01", "value": "5200", "source": "   "}, ["body", "source"]),
        ("tekun.dispersed", {"effective": "2019-01-01", "value": 5200.5, "source": "x"}, ["body", "value"]),
        ("tekun.dispersed", {"effective": "2019-01-01", "value": "-1", "source": "x"}, ["body", "value"]),
        ("village.exit_max_incidence", {"effective": "2019-01-01", "value": "1.5", "source": "x"}, ["body", "value"]),
        ("tekun.dispersed", {"effective": "2019-01-01", "value": ["a"], "source": "x"}, ["body", "value"]),
        ("village.exit_required_checks", {"effective": "2019-01-01", "value": "3", "source": "x"}, ["body", "value"]),
        ("poverty_line.provincial", {"effective": "2019-07-01", "value": "3600", "source": "x"}, ["body", "effective"]),
        ("tekun.dispersed", {"effective": "2019-01-01", "value": "5200", "source": "x", "extra": 1}, ["body", "extra"]),
    ],
)  # fmt: skip
async def test_a_bad_value_is_422_naming_the_field(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    name: str,
    body: dict[str, object],
    loc: list[str],
) -> None:
    refused = await client.post(f"/v1/parameters/{name}/values", json=body, headers=auth())
    assert refused.status_code == 422, refused.text
    assert loc in [e["loc"][: len(loc)] for e in refused.json()["errors"]]


async def test_an_unknown_parameter_cannot_get_a_value(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    refused = await client.post(
        "/v1/parameters/no_such.thing/values",
        json={"effective": "2019-01-01", "value": "1", "source": "x"},
        headers=auth(),
    )
    assert refused.status_code == 404


async def test_seeding_is_idempotent_and_follows_the_files(
    session: AsyncSession, tmp_path: Path
) -> None:
    again = await service.seed_from_files(session)
    assert (again.inserted, again.changed, again.removed) == (0, 0, 0)

    files = tmp_path / "data"
    shutil.copytree(DATA_DIR, files)
    tekun = files / "tekun.yaml"
    tekun.write_text(tekun.read_text(encoding="utf-8").replace("5070", "5071"), encoding="utf-8")
    changed = await service.seed_from_files(session, files)
    assert changed.changed >= 1 and changed.inserted == 0
    row = await session.scalar(
        sa.select(ParameterValue).where(ParameterValue.name == "tekun.dispersed")
    )
    assert row is not None and str(row.number) == "5071"
    audited = await session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "parameter.file_change")
    )
    assert audited and audited >= 1


async def test_a_file_value_without_a_source_refuses_to_load(
    session: AsyncSession, tmp_path: Path
) -> None:
    files = tmp_path / "data"
    shutil.copytree(DATA_DIR, files)
    tekun = files / "tekun.yaml"
    text = tekun.read_text(encoding="utf-8")
    tekun.write_text(text.replace("source: 专栏22-6", "source: ''", 1), encoding="utf-8")
    with pytest.raises(InvalidParameter, match="source"):
        await service.seed_from_files(session, files)


async def test_the_cached_set_follows_writes_of_other_replicas(session: AsyncSession) -> None:
    cache = service.ParameterCache(dict(default_definitions()))
    first, revision = await cache.current_with_revision(session)
    assert (await cache.current_with_revision(session))[0] is first  # unchanged: no rebuild
    # Another replica's write: a row this process never saw through its cache.
    session.add(
        ParameterValue(
            name="cpi.rural", effective=date(2025, 1, 1), number=103,
            source="another replica", origin="official",
        )
    )  # fmt: skip
    await session.flush()
    rebuilt, new_revision = await cache.current_with_revision(session)
    assert rebuilt is not first and new_revision != revision
    assert rebuilt.value("cpi.rural", date(2025, 5, 1)).number == 103
