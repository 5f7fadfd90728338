"""Members: joining, corrections, yearly attributes, leaving with history kept, person
search by ID number in the body, and the audited reveal of a full ID number."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households import service
from services.registry.households.models import Member
from shared.auth import Role
from shared.idcard import IdCipher
from shared.models import AuditEntry, IdempotencyKey
from tests.registry.factories import (
    OTHER_VILLAGE,
    VILLAGE,
    TokenFactory,
    household_body,
    id_number,
    make_areas,
    member_body,
    row_counts,
)

NEWBORN = id_number("20190302", "002")  # a girl born in 2019


@pytest.fixture(autouse=True)
async def areas(session: AsyncSession) -> None:
    await make_areas(session)


@pytest.fixture
async def household(client: httpx.AsyncClient, auth: TokenFactory) -> dict[str, Any]:
    response = await client.post("/v1/households", json=household_body(), headers=auth())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def locs(response: httpx.Response) -> list[list[Any]]:
    return [e["loc"] for e in response.json()["errors"]]


def member_url(household: dict[str, Any], index: int, tail: str = "") -> str:
    return f"/v1/households/{household['id']}/members/{household['members'][index]['id']}{tail}"


async def read(client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any]) -> Any:
    return (await client.get(f"/v1/households/{household['id']}", headers=auth())).json()


# --- joining ------------------------------------------------------------------------------


async def test_a_newborn_joins_and_per_capita_income_is_recomputed(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any]
) -> None:
    newborn = {"name": "张小雨", "id_number": NEWBORN, "relation": "granddaughter",
               "data_year": 2019, "year": {"health": ["healthy"]}}  # fmt: skip
    response = await client.post(
        f"/v1/households/{household['id']}/members",
        json=newborn,
        headers=auth(Role.village_cadre, VILLAGE),
    )
    assert response.status_code == 201, response.text
    assert (response.json()["sex"], response.json()["birth_date"]) == ("female", "2019-03-02")
    assert response.headers["etag"] == '"1"'
    after = await read(client, auth, household)
    assert after["size"] == 4
    assert after["year"]["per_capita_net_income"] == "3045.00"  # 12180 ÷ 4
    assert after["version"] == household["version"] + 1


async def test_joining_needs_the_years_survey_and_a_free_person(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any], session: AsyncSession
) -> None:
    url = f"/v1/households/{household['id']}/members"
    before = await row_counts(session)
    no_year = await client.post(
        url,
        json={
            "name": "张小雨",
            "id_number": NEWBORN,
            "relation": "granddaughter",
            "data_year": 2018,
        },
        headers=auth(),
    )
    assert no_year.status_code == 422 and ["body", "data_year"] in locs(no_year)
    taken = household_body()["members"][1]  # already the spouse here
    again = await client.post(
        url, json={**taken, "relation": "other", "data_year": 2019}, headers=auth()
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["loc"] == ["body", "id_number"]
    assert again.json()["errors"][0]["type"] == "person.one_household"
    assert await row_counts(session) == before


async def test_a_concurrent_registration_caught_by_the_unique_index_is_the_same_422(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Let the pre-insert check miss, as when another request registers the person between
    # our check and our insert: the partial unique index must still answer with a 422.
    async def miss(*args: Any) -> list[Any]:
        return []

    monkeypatch.setattr(service, "people_errors", miss)
    spouse = household_body()["members"][1]
    body = household_body(
        members=[member_body("王强", "head", "19650101", "013", labour="ordinary"), spouse],
        main_cause="lack_funds",
        year={"pension_income": "6000.00"},
    )
    before = await row_counts(session)
    response = await client.post("/v1/households", json=body, headers=auth())
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "members", 1, "id_number"]
    assert response.json()["errors"][0]["type"] == "person.one_household"
    assert await row_counts(session) == before


# --- corrections --------------------------------------------------------------------------


async def test_patch_member_needs_if_match_and_a_new_id_re_derives_everything(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    session: AsyncSession,
    registry_app: FastAPI,
) -> None:
    url = member_url(household, 2)  # 张磊, the son
    corrected = id_number("20080416", "013")
    assert (await client.patch(url, json={"name": "张雷"}, headers=auth())).status_code == 428
    stale = await client.patch(url, json={"name": "张雷"}, headers={**auth(), "If-Match": '"9"'})
    assert stale.status_code == 412
    ok = await client.patch(
        url, json={"name": "张雷", "id_number": corrected}, headers={**auth(), "If-Match": '"1"'}
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert (body["name"], body["birth_date"], body["version"]) == ("张雷", "2008-04-16", 2)
    assert body["id_number_masked"] == corrected[:6] + "********" + corrected[-4:]
    assert ok.headers["etag"] == '"2"'

    cipher: IdCipher = registry_app.state.id_cipher
    row = await session.scalar(
        sa.select(Member).where(Member.id == body["id"]).execution_options(populate_existing=True)
    )
    assert row is not None
    assert cipher.decrypt(row.id_number_cipher, bound_to=str(row.id)) == corrected
    assert row.id_number_hash == cipher.lookup_hash(corrected)


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"id_number": "370404200803150116"}, ["body", "id_number"]),  # wrong check character
        ({"sex": "female"}, ["body", "sex"]),  # derived from the ID, never typed
        ({"relation": "nephew"}, ["body", "relation"]),  # not a national relation code
        ({"relation": "daughter"}, ["body", "relation"]),  # a son's ID: member.relation_sex
    ],
)
async def test_patch_member_bad_input_writes_nothing(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    session: AsyncSession,
    change: dict[str, Any],
    loc: list[Any],
) -> None:
    before = await row_counts(session)
    response = await client.patch(
        member_url(household, 2), json=change, headers={**auth(), "If-Match": '"1"'}
    )
    assert response.status_code == 422, response.text
    assert loc in locs(response)
    assert await row_counts(session) == before


# --- yearly attributes --------------------------------------------------------------------


async def test_member_year_is_recorded_and_checked(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any], session: AsyncSession
) -> None:
    url = member_url(household, 2, "/years/2019")
    current = {**auth(), "If-Match": '"1"'}  # the household's ETag: the year was recorded
    ok = await client.put(
        url, json={"school_status": "grade7", "health": ["healthy"]}, headers=current
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["year"]["school_status"] == "grade7"

    before = await row_counts(session)
    too_young = await client.put(
        url, json={"school_status": "senior2"}, headers={**auth(), "If-Match": '"2"'}
    )
    assert too_young.status_code == 422
    assert too_young.json()["errors"][0]["loc"] == ["body", "school_status"]
    assert too_young.json()["errors"][0]["type"] == "member.age_school_senior"
    no_survey = await client.put(member_url(household, 2, "/years/2017"), json={}, headers=auth())
    assert no_survey.status_code == 422 and ["path", "year"] in locs(no_survey)
    assert await row_counts(session) == before


# --- leaving ------------------------------------------------------------------------------


async def test_a_member_who_marries_out_is_kept_as_history_and_may_join_elsewhere(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any]
) -> None:
    url = member_url(household, 1, "/remove")  # 李秀兰, the spouse
    leave = {"left_on": "2019-06-18", "reason": "married_out"}
    response = await client.post(url, json=leave, headers=auth(Role.village_cadre, VILLAGE))
    assert response.status_code == 200, response.text
    assert (response.json()["left_on"], response.json()["leave_reason"]) == (
        "2019-06-18",
        "married_out",
    )

    after = await read(client, auth, household)
    assert [m["name"] for m in after["members"]] == ["张建国", "张磊"]
    assert [m["name"] for m in after["departed_members"]] == ["李秀兰"]
    assert after["size"] == 2
    assert after["year"]["per_capita_net_income"] == "6090.00"  # 12180 ÷ 2

    retry = await client.post(url, json=leave, headers=auth())
    assert retry.status_code == 200
    other = await client.post(url, json={**leave, "reason": "death"}, headers=auth())
    assert other.status_code == 409

    # Her new household, in another town, may register her now.
    spouse = household_body()["members"][1]
    new_home = household_body(
        village_code=OTHER_VILLAGE,
        members=[member_body("刘志强", "head", "19690405", "019", labour="ordinary"),
                 {**spouse, "relation": "spouse"}],
        main_cause="lack_funds",
        year={"pension_income": "6000.00"},
    )  # fmt: skip
    joined = await client.post("/v1/households", json=new_home, headers=auth())
    assert joined.status_code == 201, joined.text


async def test_the_head_leaves_only_naming_a_new_head(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any], session: AsyncSession
) -> None:
    url = member_url(household, 0, "/remove")  # 张建国, the head, the household's ill member
    death = {"left_on": "2019-10-02", "reason": "death"}
    before = await row_counts(session)
    unnamed = await client.post(url, json=death, headers=auth())
    assert unnamed.status_code == 422 and ["body", "new_head_member_id"] in locs(unnamed)

    # The rules run on the household without him: 因病 has no ill member left.
    spouse_id = household["members"][1]["id"]
    named = {**death, "new_head_member_id": spouse_id}
    unsupported = await client.post(url, json=named, headers=auth())
    assert unsupported.status_code == 422
    assert unsupported.json()["errors"][0]["loc"] == ["household", "main_cause"]
    assert unsupported.json()["errors"][0]["type"] == "household.cause_illness"
    assert await row_counts(session) == before

    cause = await client.patch(
        f"/v1/households/{household['id']}",
        json={"main_cause": "lack_labour", "other_causes": []},
        headers={**auth(), "If-Match": f'"{household["version"]}"'},
    )
    assert cause.status_code == 200, cause.text
    done = await client.post(url, json=named, headers=auth())
    assert done.status_code == 200, done.text
    after = await read(client, auth, household)
    assert [(m["name"], m["relation"]) for m in after["members"]] == [
        ("李秀兰", "head"),
        ("张磊", "son"),
    ]
    assert [m["name"] for m in after["departed_members"]] == ["张建国"]


async def test_the_last_member_cannot_leave(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    body = household_body(
        members=[member_body("孙桂英", "head", "19500909", "028", labour="no_labour")],
        main_cause="lack_labour",
        year={"dibao_income": "3900.00"},
    )
    created = (await client.post("/v1/households", json=body, headers=auth())).json()
    response = await client.post(
        member_url(created, 0, "/remove"),
        json={"left_on": "2019-12-01", "reason": "death"},
        headers=auth(),
    )
    assert response.status_code == 409


# --- person search and reveal -------------------------------------------------------------


async def test_person_search_by_id_in_the_body_is_area_scoped(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any]
) -> None:
    head_id = household_body()["members"][0]["id_number"]
    found = await client.post("/v1/persons/search", json={"id_number": head_id}, headers=auth())
    assert found.status_code == 200
    [match] = found.json()["items"]
    assert (match["household_id"], match["name"]) == (household["id"], "张建国")
    assert head_id not in found.text

    elsewhere = auth(Role.village_cadre, OTHER_VILLAGE)
    hidden = await client.post("/v1/persons/search", json={"id_number": head_id}, headers=elsewhere)
    assert hidden.json()["items"] == []
    nobody = await client.post("/v1/persons/search", json={"id_number": NEWBORN}, headers=auth())
    assert nobody.json()["items"] == []
    bad = await client.post("/v1/persons/search", json={"id_number": "12345"}, headers=auth())
    assert bad.status_code == 422 and ["body", "id_number"] in locs(bad)


async def test_district_admin_reveals_a_full_id_and_the_reveal_is_audited(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any], session: AsyncSession
) -> None:
    full = household_body()["members"][0]["id_number"]
    # Even with an Idempotency-Key the answer must not be stored in the clear.
    headers = {**auth(subject="chen.admin"), "Idempotency-Key": "reveal-1"}
    response = await client.post(member_url(household, 0, "/reveal-id"), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["id_number"] == full
    assert response.headers["cache-control"] == "no-store"

    entry = await session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "member.reveal_id")
    )
    assert entry is not None
    assert (entry.actor, entry.entity_id) == ("chen.admin", household["id"])
    assert entry.after == {
        "member_id": household["members"][0]["id"],
        "id_number_masked": "370404********0312",
    }
    stored = (await session.scalars(sa.select(IdempotencyKey.response_body))).all()
    assert all(full.encode() not in (body or b"") for body in stored)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.district_admin])
async def test_only_district_admin_reveals(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any], role: Role
) -> None:
    area = (
        VILLAGE
        if role is Role.village_cadre
        else "370404104"
        if role is Role.town_officer
        else "370404"
    )
    response = await client.post(member_url(household, 0, "/reveal-id"), headers=auth(role, area))
    assert response.status_code == 403
