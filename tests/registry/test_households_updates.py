"""Listing households and changing them: filters and pages inside the caller's area,
optimistic concurrency, moves between villages, status set by the eligibility service,
yearly income surveys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.auth import Role
from shared.models import Change
from shared.pagination import encode_cursor
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    TokenFactory,
    create_household,
    household_body,
    make_areas,
    member_body,
    row_counts,
)


@pytest.fixture(autouse=True)
async def areas(session: AsyncSession) -> None:
    await make_areas(session)


def locs(response: httpx.Response) -> list[list[Any]]:
    return [e["loc"] for e in response.json()["errors"]]


# --- listing ------------------------------------------------------------------------------


async def _three(client: httpx.AsyncClient, auth: TokenFactory) -> list[dict[str, Any]]:
    """One household in VILLAGE, one in NEIGHBOUR_VILLAGE (exited), one in OTHER_VILLAGE."""
    first = await create_household(client, auth())
    second = await create_household(
        client,
        auth(),
        village_code=NEIGHBOUR_VILLAGE,
        status="exited_supported",
        exit_year=2019,
        main_cause="lack_funds",
        members=[member_body("赵大海", "head", "19600202", "017", labour="ordinary")],
        year={"pension_income": "4800.00"},
    )
    third = await create_household(
        client,
        auth(),
        village_code=OTHER_VILLAGE,
        main_cause="lack_labour",
        members=[member_body("孙桂英", "head", "19500909", "028", labour="no_labour")],
        year={"dibao_income": "3900.00"},
        data_year=2018,
    )
    return [first, second, third]


async def test_list_filters_and_pages_inside_the_callers_area(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    first, second, third = await _three(client, auth)

    async def ids(headers: dict[str, str], **params: Any) -> set[str]:
        response = await client.get("/v1/households", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {h["id"] for h in response.json()["items"]}

    everyone = {first["id"], second["id"], third["id"]}
    assert await ids(auth()) == everyone
    assert await ids(auth(Role.town_officer, TOWN)) == {first["id"], second["id"]}
    assert await ids(auth(Role.village_cadre, VILLAGE)) == {first["id"]}
    assert await ids(auth(), village_code=NEIGHBOUR_VILLAGE) == {second["id"]}
    assert await ids(auth(), town_code=OTHER_TOWN) == {third["id"]}
    assert await ids(auth(), status="exited_supported") == {second["id"]}
    assert await ids(auth(), main_cause="illness") == {first["id"]}
    assert await ids(auth(), identification_standard="provincial") == everyone
    assert await ids(auth(), year=2018) == {third["id"]}
    # A filter cannot widen the area: another town's village is simply empty.
    assert await ids(auth(Role.village_cadre, VILLAGE), village_code=OTHER_VILLAGE) == set()

    seen: list[str] = []
    cursor = None
    for _ in range(4):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/households", params=params, headers=auth())).json()
        seen += [h["id"] for h in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(everyone) and len(seen) == 3

    bad = await client.get("/v1/households", params={"status": "rich"}, headers=auth())
    assert bad.status_code == 422 and ["query", "status"] in locs(bad)
    forged = encode_cursor("not-a-household-id")
    bad_cursor = await client.get("/v1/households", params={"cursor": forged}, headers=auth())
    assert bad_cursor.status_code == 422 and ["query", "cursor"] in locs(bad_cursor)


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_list_queries_do_not_grow_with_the_page(
    client: httpx.AsyncClient, auth: TokenFactory, registry_engine: AsyncEngine
) -> None:
    await _three(client, auth)
    with count_statements(registry_engine) as one:
        await client.get("/v1/households", params={"limit": 1}, headers=auth())
    with count_statements(registry_engine) as three:
        response = await client.get("/v1/households", params={"limit": 3}, headers=auth())
    assert len(response.json()["items"]) == 3
    assert all(h["size"] >= 1 and h["year"] for h in response.json()["items"])
    assert len(three) == len(one)


# --- updates: If-Match, moves, status -----------------------------------------------------


async def test_patch_needs_a_current_if_match(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}"
    change = {"main_cause": "lack_skills", "other_causes": ["illness"]}
    missing = await client.patch(url, json=change, headers=auth())
    assert missing.status_code == 428
    stale = await client.patch(url, json=change, headers={**auth(), "If-Match": '"7"'})
    assert stale.status_code == 412
    ok = await client.patch(url, json=change, headers={**auth(), "If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"2"'
    assert (ok.json()["main_cause"], ok.json()["version"]) == ("lack_skills", 2)
    again = await client.patch(
        url, json={"phone": "13900000000"}, headers={**auth(), "If-Match": '"1"'}
    )
    assert again.status_code == 412


async def test_patch_refused_by_quality_rules_changes_nothing(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}"
    # Nobody in the household is disabled, so 因残 cannot be the main cause.
    response = await client.patch(
        url, json={"main_cause": "disability"}, headers={**auth(), "If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] | {"msg": ""} == {
        "loc": ["body", "main_cause"],
        "msg": "",
        "type": "household.cause_disability",
    }
    after = (await client.get(url, headers=auth())).json()
    assert (after["main_cause"], after["version"]) == ("illness", 1)


async def test_town_officer_moves_a_household_and_both_feeds_see_it(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}"
    officer = {**auth(Role.town_officer, TOWN), "If-Match": '"1"'}
    moved = await client.patch(url, json={"village_code": NEIGHBOUR_VILLAGE}, headers=officer)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["village_code"], moved.json()["town_code"]) == (NEIGHBOUR_VILLAGE, TOWN)

    feed = (
        await session.scalars(
            sa.select(Change).where(Change.entity_id == created["id"]).order_by(Change.id)
        )
    ).all()
    assert [(c.op, c.area_code) for c in feed] == [
        ("upsert", VILLAGE),
        ("remove", VILLAGE),
        ("upsert", NEIGHBOUR_VILLAGE),
    ]
    assert all(set(c.payload or {}) <= {"version", "status"} for c in feed)
    old_cadre = await client.get(url, headers=auth(Role.village_cadre, VILLAGE))
    assert old_cadre.status_code == 404
    new_cadre = await client.get(url, headers=auth(Role.village_cadre, NEIGHBOUR_VILLAGE))
    assert new_cadre.status_code == 200


@pytest.mark.parametrize(
    ("role", "area", "target"),
    [
        (Role.town_officer, TOWN, OTHER_VILLAGE),  # another town
        (Role.village_cadre, VILLAGE, NEIGHBOUR_VILLAGE),  # a cadre cannot move out
        (Role.district_admin, "370404", "370404104999"),  # no such village
    ],
)
async def test_move_to_a_village_outside_the_area_is_422(
    client: httpx.AsyncClient, auth: TokenFactory, role: Role, area: str, target: str
) -> None:
    created = await create_household(client, auth())
    response = await client.patch(
        f"/v1/households/{created['id']}",
        json={"village_code": target},
        headers={**auth(role, area), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert ["body", "village_code"] in locs(response)
    after = (await client.get(f"/v1/households/{created['id']}", headers=auth())).json()
    assert after["village_code"] == VILLAGE


async def test_service_sets_status_idempotently_and_nothing_else(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}"
    service = {**auth(Role.service, "370404", subject="eligibility"), "If-Match": '"1"'}
    exit_ = {"status": "exited_supported", "exit_year": 2019}
    first = await client.patch(url, json=exit_, headers=service)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["version"]) == ("exited_supported", 2)
    changes_after_first = (await row_counts(session))["change"]

    # The retry carries the ETag it read before the first attempt: already applied, 200.
    retry = await client.patch(url, json=exit_, headers=service)
    assert retry.status_code == 200 and retry.json()["version"] == 2
    assert (await row_counts(session))["change"] == changes_after_first

    other = await client.patch(url, json={"main_cause": "lack_funds"}, headers=service)
    assert other.status_code == 403
    no_year = await client.patch(
        url,
        json={"status": "exited_unsupported", "exit_year": None},
        headers={**service, "If-Match": '"2"'},
    )
    assert no_year.status_code == 422 and ["body", "exit_year"] in locs(no_year)


async def test_only_the_district_office_holds_an_exit(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}"
    hold = {"exit_hold_reason": "县扶贫办抽查: 收入核实中"}
    town = await client.patch(
        url, json=hold, headers={**auth(Role.town_officer, TOWN), "If-Match": '"1"'}
    )
    assert town.status_code == 403
    district = await client.patch(url, json=hold, headers={**auth(), "If-Match": '"1"'})
    assert (
        district.status_code == 200
        and district.json()["exit_hold_reason"] == hold["exit_hold_reason"]
    )


# --- yearly records -----------------------------------------------------------------------


async def test_put_year_computes_per_capita_and_carries_members_forward(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}/years/2020"
    survey = {"wage_income": "12000.00", "pension_income": "1500.00", "operating_income": "600.00",
              "operating_expenses": "150.00"}  # fmt: skip
    response = await client.put(url, json=survey, headers=auth(Role.village_cadre, VILLAGE))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["year"]["year"] == 2020 and body["size"] == 3
    assert body["year"]["per_capita_net_income"] == "4650.00"  # 13950 ÷ 3
    # A new year starts from last year's member attributes (年度切换).
    assert [m["year"]["school_status"] for m in body["members"]] == [
        "not_in_school",
        "not_in_school",
        "primary",
    ]
    assert response.headers["etag"] == '"2"'

    # Overwriting the year now exists needs the household's ETag: 428 without, 412 stale.
    lower = {**survey, "wage_income": "9000.00"}
    missing = await client.put(url, json=lower, headers=auth())
    assert missing.status_code == 428
    assert missing.headers["content-type"].startswith("application/problem+json")
    stale = await client.put(url, json=lower, headers={**auth(), "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"2"'
    replaced = await client.put(url, json=lower, headers={**auth(), "If-Match": '"2"'})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["year"]["per_capita_net_income"] == "3650.00"
    assert replaced.headers["etag"] == '"3"'
    again = await client.put(url, json=survey, headers={**auth(), "If-Match": '"2"'})
    assert again.status_code == 412


@pytest.mark.parametrize(
    ("field", "value"),
    [("wage_income", "-5.00"), ("per_capita_net_income", "100.00"), ("house_grade", "E")],
)
async def test_put_year_bad_input_writes_nothing(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, field: str, value: str
) -> None:
    created = await create_household(client, auth())
    before = await row_counts(session)
    response = await client.put(
        f"/v1/households/{created['id']}/years/2019",
        json={"wage_income": "9600.00", field: value},
        headers=auth(),
    )
    assert response.status_code == 422
    assert ["body", field] in locs(response)
    assert await row_counts(session) == before


async def test_put_year_replaces_that_years_warnings(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    body = household_body()
    body["year"]["operating_expenses"] = "0"
    created = await create_household(client, auth(), year=body["year"])
    warnings_url = f"/v1/households/{created['id']}/warnings"
    assert len((await client.get(warnings_url, headers=auth())).json()["items"]) == 1
    fixed = {**body["year"], "operating_expenses": "300.00"}
    response = await client.put(
        f"/v1/households/{created['id']}/years/2019",
        json=fixed,
        headers={**auth(), "If-Match": f'"{created["version"]}"'},
    )
    assert response.status_code == 200
    assert (await client.get(warnings_url, headers=auth())).json()["items"] == []


async def test_a_members_year_is_created_freely_and_replaced_with_the_households_etag(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    created = await create_household(client, auth())
    url = f"/v1/households/{created['id']}"
    # Creating 2018 needs no If-Match; it copies each member's 2019 year (年度切换).
    made = await client.put(f"{url}/years/2018", json={"wage_income": "4000.00"}, headers=auth())
    assert made.status_code == 200 and made.headers["etag"] == '"2"'
    joined = member_body("李娟", "other", "19950101", "022", labour="ordinary",
                         school_status="not_in_school")  # fmt: skip
    added = await client.post(f"{url}/members", json={**joined, "data_year": 2019}, headers=auth())
    assert added.status_code == 201, added.text
    etag = (await client.get(url, headers=auth())).headers["etag"]
    assert etag == '"3"'
    # She joined in 2019: her 2018 year does not exist yet, so no If-Match is needed.
    year = {"labour": "ordinary", "school_status": "not_in_school", "health": ["healthy"]}
    hers = await client.put(f"{url}/members/{added.json()['id']}/years/2018", json=year,
                            headers=auth())  # fmt: skip
    assert hers.status_code == 200, hers.text
    assert hers.headers["etag"] == '"4"'  # the household's, as GET answers it
    assert (await client.get(url, headers=auth())).headers["etag"] == '"4"'

    son = f"{url}/members/{created['members'][2]['id']}/years/2018"
    change = {"school_status": "primary", "health": ["healthy"]}
    missing = await client.put(son, json=change, headers=auth())
    assert missing.status_code == 428
    stale = await client.put(son, json=change, headers={**auth(), "If-Match": etag})
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"4"'
    ok = await client.put(son, json=change, headers={**auth(), "If-Match": '"4"'})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"5"' and ok.json()["year"]["school_status"] == "primary"
    # An If-Match sent with a creation is still checked: the household moved on.
    refused = await client.put(f"{url}/years/2017", json={"wage_income": "3000.00"},
                               headers={**auth(), "If-Match": '"4"'})  # fmt: skip
    assert refused.status_code == 412
