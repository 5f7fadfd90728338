"""Registering and reading households: derived values, refused input that writes nothing,
data-quality findings, idempotent retries, the OpenAPI document."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households.models import Member
from services.registry.households.schemas import (
    HouseholdCreate,
    HouseholdUpdate,
    HouseholdYearIn,
    MemberAdd,
    MemberRemove,
    MemberUpdate,
    MemberYearIn,
    PersonSearch,
)
from services.registry.households.views import (
    HistoryEntry,
    HouseholdRead,
    MemberRead,
    PersonMatch,
    RevealedId,
    WarningRead,
)
from shared.idcard import IdCipher
from tests.registry.factories import (
    TokenFactory,
    create_household,
    household_body,
    id_number,
    make_areas,
    member_body,
    row_counts,
)


@pytest.fixture(autouse=True)
async def areas(session: AsyncSession) -> None:
    await make_areas(session)


def locs(response: httpx.Response) -> list[list[Any]]:
    return [e["loc"] for e in response.json()["errors"]]


# --- create and read ---------------------------------------------------------------------


async def test_create_derives_sex_birth_and_per_capita_and_shows_only_masked_ids(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, registry_app: FastAPI
) -> None:
    body = household_body()
    response = await client.post("/v1/households", json=body, headers=auth())
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/households/{created['id']}"
    assert response.headers["etag"] == '"1"'
    # (9600 + 1500 + 1380 − 300) ÷ 3 members
    assert created["year"]["per_capita_net_income"] == "4060.00"
    assert created["size"] == 3
    head = created["members"][0]
    assert (head["sex"], head["birth_date"]) == ("male", "1970-05-12")
    assert head["id_number_masked"] == "370404********0312"
    for member in body["members"]:
        assert member["id_number"] not in response.text

    # Stored encrypted, bound to the member's own id, with the keyed hash beside it.
    cipher: IdCipher = registry_app.state.id_cipher
    row = await session.scalar(sa.select(Member).where(Member.id == head["id"]))
    assert row is not None
    full = body["members"][0]["id_number"]
    assert full.encode() not in row.id_number_cipher
    assert cipher.decrypt(row.id_number_cipher, bound_to=str(row.id)) == full
    assert row.id_number_hash == cipher.lookup_hash(full)


async def test_fifteen_digit_id_is_upgraded_to_eighteen(
    client: httpx.AsyncClient, auth: TokenFactory, registry_app: FastAPI, session: AsyncSession
) -> None:
    body = household_body()
    eighteen = body["members"][1]["id_number"]  # 370404197208030245
    body["members"][1]["id_number"] = eighteen[:6] + eighteen[8:17]  # drop "19" and the check
    response = await client.post("/v1/households", json=body, headers=auth())
    assert response.status_code == 201, response.text
    spouse = response.json()["members"][1]
    assert spouse["id_number_masked"] == "370404********0245"
    cipher: IdCipher = registry_app.state.id_cipher
    stored = await session.scalar(sa.select(Member.id_number_hash).where(Member.id == spouse["id"]))
    assert stored == cipher.lookup_hash(eighteen)


async def test_get_shows_latest_year_or_the_year_asked_for(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}"
    latest = await client.get(url, headers=auth())
    assert latest.status_code == 200 and latest.headers["etag"] == '"1"'
    assert latest.json()["year"]["year"] == 2019
    absent = (await client.get(url, params={"year": 2017}, headers=auth())).json()
    assert absent["year"] is None
    assert all(m["year"] is None for m in absent["members"])


# --- refused input writes nothing ---------------------------------------------------------


def _with(path: tuple[Any, ...], value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    body = copy.deepcopy(base or household_body())
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


BAD_INPUT = {
    "malformed ID": (("members", 0, "id_number"), "370404197005120313"),
    "ID of someone not yet born": (("members", 0, "id_number"), id_number("20990101", "031")),
    "unknown village": (("village_code",), "370404104999"),
    "negative income": (("year", "wage_income"), "-1.00"),
    "future birth date": (("members", 2, "birth_date"), "2099-01-01"),
    "birth date contradicting the ID": (("members", 2, "birth_date"), "2008-03-16"),
    "sex contradicting the ID": (("members", 1, "sex"), "male"),
    "unknown cause code": (("main_cause",), "bad_luck"),
    "unknown labour code": (("members", 1, "year", "labour"), "strong"),
    "per-capita income from the client": (("year", "per_capita_net_income"), "9999.00"),
}


@pytest.mark.parametrize(("path", "value"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
async def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    path: tuple[Any, ...],
    value: Any,
) -> None:
    before = await row_counts(session)
    response = await client.post("/v1/households", json=_with(path, value), headers=auth())
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert ["body", *path] in locs(response)
    assert await row_counts(session) == before


async def test_person_already_in_another_household_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    first = household_body()
    await create_household(client, auth())
    before = await row_counts(session)
    second = household_body(
        members=[
            member_body("王强", "head", "19650101", "013", labour="ordinary"),
            first["members"][1],  # 李秀兰 is a member of the first household
        ],
        main_cause="lack_funds",
        year={"wage_income": "0", "pension_income": "6000.00"},
    )
    response = await client.post("/v1/households", json=second, headers=auth())
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert {"loc": ["body", "members", 1, "id_number"], "type": "person.one_household"}.items() <= {
        **errors[0]
    }.items()
    assert await row_counts(session) == before


async def test_same_person_twice_in_one_household_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    body = household_body()
    body["members"].append(copy.deepcopy(body["members"][2]))
    before = await row_counts(session)
    response = await client.post("/v1/households", json=body, headers=auth())
    assert response.status_code == 422
    assert ["body", "members", 3, "id_number"] in locs(response)
    assert await row_counts(session) == before


QUALITY_ERRORS = {
    "two heads": ((("members", 1, "relation"), "head"), "household.one_head", ["members"]),
    "son with a woman's ID": (
        (("members", 2, "id_number"), id_number("20080315", "022")),
        "member.relation_sex",
        ["members", 2, "relation"],
    ),
    "cause illness without an ill member": (
        (("members", 0, "year", "health"), ["healthy"]),
        "household.cause_illness",
        ["main_cause"],
    ),
    "declared size differs": ((("size",), 4), "household.size_matches_members", ["size"]),
    "11-year-old in senior high": (
        (("members", 2, "year", "school_status"), "senior1"),
        "member.age_school_senior",
        ["members", 2, "year", "school_status"],
    ),
    "other cause repeats the main": (
        (("other_causes",), ["illness"]),
        "household.other_causes_differ",
        ["other_causes", 0],
    ),
}


@pytest.mark.parametrize(
    ("change", "rule", "loc"), QUALITY_ERRORS.values(), ids=QUALITY_ERRORS.keys()
)
async def test_quality_errors_refuse_the_write_naming_rule_and_field(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    change: tuple[tuple[Any, ...], Any],
    rule: str,
    loc: list[Any],
) -> None:
    before = await row_counts(session)
    response = await client.post("/v1/households", json=_with(*change), headers=auth())
    assert response.status_code == 422, response.text
    assert {"loc": ["body", *loc], "type": rule}.items() <= next(
        e for e in response.json()["errors"] if e["type"] == rule
    ).items()
    assert await row_counts(session) == before


async def test_quality_warnings_are_stored_and_listed(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    body = household_body()
    body["year"]["operating_expenses"] = "0"
    created = await create_household(client, auth(), year=body["year"])
    response = await client.get(f"/v1/households/{created['id']}/warnings", headers=auth())
    assert response.status_code == 200
    [warning] = response.json()["items"]
    assert warning["rule"] == "income.operating_without_expenses"
    assert (warning["severity"], warning["field"], warning["year"]) == (
        "warning",
        "year.operating_expenses",
        2019,
    )


# --- idempotent retries -------------------------------------------------------------------


async def test_replayed_create_returns_the_first_answer_and_creates_nothing(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    headers = {**auth(), "Idempotency-Key": "phone-7-outbox-42"}
    body = household_body()
    first = await client.post("/v1/households", json=body, headers=headers)
    assert first.status_code == 201
    counts = await row_counts(session)
    replay = await client.post("/v1/households", json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert await row_counts(session) == counts

    other = household_body(natural_village="西于村")
    misuse = await client.post("/v1/households", json=other, headers=headers)
    assert misuse.status_code == 422
    assert ["header", "Idempotency-Key"] in locs(misuse)
    assert await row_counts(session) == counts


# --- OpenAPI ------------------------------------------------------------------------------


async def test_every_household_endpoint_has_a_summary_and_examples(registry_app: FastAPI) -> None:
    doc = registry_app.openapi()
    schemas = doc["components"]["schemas"]

    def exemplified(content: dict[str, Any]) -> bool:
        if "example" in content or "examples" in content:
            return True
        ref = content["schema"].get("$ref", "")
        return bool(schemas.get(ref.rsplit("/", 1)[-1], {}).get("examples"))

    mine = {
        (method, path): op
        for path, ops in doc["paths"].items()
        if path.startswith(("/v1/households", "/v1/persons", "/v1/quality-warnings"))
        and not path.endswith("/cadres")  # another helper's endpoint
        for method, op in ops.items()
    }
    assert len(mine) == 15
    for (method, path), op in mine.items():
        assert op.get("summary"), (method, path)
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        assert body is None or exemplified(body), (method, path)
        ok = next(r for status, r in op["responses"].items() if status.startswith("2"))
        assert exemplified(ok["content"]["application/json"]), (method, path)


EXAMPLED: list[type[BaseModel]] = [
    HouseholdCreate, HouseholdUpdate, HouseholdYearIn, MemberYearIn, MemberAdd, MemberUpdate,
    MemberRemove, PersonSearch, HouseholdRead, MemberRead, WarningRead, HistoryEntry,
    PersonMatch, RevealedId,
]  # fmt: skip


@pytest.mark.parametrize("model", EXAMPLED, ids=lambda m: m.__name__)
def test_openapi_examples_are_valid_documents(model: type[BaseModel]) -> None:
    for example in example_list(model):
        model.model_validate(example)


def example_list(model: type[BaseModel]) -> list[dict[str, Any]]:
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(extra["examples"], list)
    return [e for e in extra["examples"] if isinstance(e, dict)]


async def test_the_create_example_registers_a_household(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    [example] = example_list(HouseholdCreate)
    response = await client.post("/v1/households", json=example, headers=auth())
    assert response.status_code == 201, response.text
