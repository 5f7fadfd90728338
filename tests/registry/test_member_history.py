"""One member's history: the household's audit entries that changed that member, narrowed
to the member's part; area scoping; a person followed across households through the
person search; pages with a cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households.member_history import MemberHistoryEntry, narrow
from shared.auth import Role
from shared.models import AuditEntry
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
    id_number,
    make_areas,
    member_body,
)

SPOUSE = household_body()["members"][1]
# A one-person household of the neighbouring village (same town).
NEIGHBOUR = {
    "village_code": NEIGHBOUR_VILLAGE,
    "members": [member_body("赵大海", "head", "19600202", "017", labour="ordinary")],
    "main_cause": "lack_funds",
    "year": {"pension_income": "4800.00", "operating_income": "100.00"},
}


@pytest.fixture(autouse=True)
async def areas(session: AsyncSession) -> None:
    await make_areas(session)


def member_url(household: dict[str, Any], index: int) -> str:
    return f"/v1/households/{household['id']}/members/{household['members'][index]['id']}"


async def etag(client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any]) -> str:
    return (await client.get(f"/v1/households/{household['id']}", headers=auth())).headers["etag"]


async def history(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(f"{url}/history", params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def ok(response: Any) -> httpx.Response:
    answered: httpx.Response = await response
    assert answered.status_code in (200, 201), answered.text
    return answered


async def test_a_members_writes_are_listed_in_order_narrowed_to_the_member(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    cadre = auth(Role.village_cadre, VILLAGE, subject="wang.cadre")
    household = await create_household(client, cadre)
    son_id = household["members"][2]["id"]
    son, spouse = member_url(household, 2), member_url(household, 1)
    corrected = id_number("20080416", "013")
    # Writes to the son, interleaved with writes to the spouse and to the household.
    await ok(client.patch(son, json={"phone": "13900000001"}, headers={**cadre, "If-Match": '"1"'}))
    await ok(client.patch(spouse, json={"name": "李秀英"}, headers={**cadre, "If-Match": '"1"'}))
    await ok(
        client.patch(
            f"/v1/households/{household['id']}",
            json={"phone": "13900000009"},
            headers={**cadre, "If-Match": await etag(client, auth, household)},
        )
    )
    await ok(client.patch(son, json={"id_number": corrected}, headers={**cadre, "If-Match": '"2"'}))
    await ok(
        client.put(
            f"{son}/years/2019",
            json={"school_status": "grade7", "health": ["healthy"]},
            headers={**cadre, "If-Match": await etag(client, auth, household)},
        )
    )
    town = auth(Role.town_officer, TOWN, subject="li.town")
    await ok(
        client.post(
            f"{son}/remove", json={"left_on": "2019-09-01", "reason": "moved_out"}, headers=town
        )
    )

    entries = await history(client, son, auth(Role.auditor))
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("household.create", "wang.cadre"),
        ("member.update", "wang.cadre"),
        ("member.update", "wang.cadre"),
        ("member_year.put", "wang.cadre"),
        ("member.remove", "li.town"),
    ]
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    created, phone, id_fix, year, removal = entries
    # Only the son's part of the household's snapshot, with his year record.
    assert created["before"] is None
    assert (created["after"]["id"], created["after"]["name"]) == (son_id, "张磊")
    assert created["after"]["year"]["school_status"] == "primary"
    assert "members" not in created["after"] and "village_code" not in created["after"]
    assert (phone["before"]["id"], phone["before"]["phone"]) == (son_id, None)
    assert (phone["after"]["id"], phone["after"]["phone"]) == (son_id, "13900000001")
    assert id_fix["before"]["id_number_masked"] == "370404********0115"
    assert id_fix["after"]["id_number_masked"] == corrected[:6] + "********" + corrected[-4:]
    assert id_fix["after"]["birth_date"] == "2008-04-16"
    assert set(year["before"]) == set(year["after"]) == {"year"}
    assert year["before"]["year"]["school_status"] == "primary"
    assert (year["after"]["year"]["school_status"], year["after"]["year"]["member_id"]) == (
        "grade7",
        son_id,
    )
    assert removal["before"] == {"id": son_id, "left_on": None, "leave_reason": None}
    assert removal["after"] == {"id": son_id, "left_on": "2019-09-01", "leave_reason": "moved_out"}

    # The spouse's history has her own writes only.
    theirs = await history(client, spouse, auth(Role.auditor))
    assert [e["action"] for e in theirs] == ["household.create", "member.update"]
    assert theirs[0]["after"]["name"] == "李秀兰"
    assert theirs[1]["after"]["name"] == "李秀英"
    assert {e["id"] for e in theirs}.isdisjoint(e["id"] for e in entries[1:])


async def test_a_member_who_joined_and_a_new_head_see_their_own_entries(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    # The head, the one ill member, dies: the household's main cause is not illness here.
    household = await create_household(client, auth(), main_cause="lack_funds")
    newborn = {
        "name": "张小雨",
        "id_number": id_number("20190302", "002"),
        "relation": "granddaughter",
        "data_year": 2019,
        "year": {"health": ["healthy"]},
    }
    added = await ok(
        client.post(f"/v1/households/{household['id']}/members", json=newborn, headers=auth())
    )
    head, spouse = member_url(household, 0), member_url(household, 1)
    await ok(
        client.post(
            f"{head}/remove",
            json={
                "left_on": "2019-10-01",
                "reason": "death",
                "new_head_member_id": household["members"][1]["id"],
            },
            headers=auth(),
        )
    )

    joined = await history(
        client, f"/v1/households/{household['id']}/members/{added.json()['id']}", auth()
    )
    assert [(e["action"], e["before"]) for e in joined] == [("member.add", None)]
    assert joined[0]["after"]["name"] == "张小雨"
    assert joined[0]["after"]["year"]["health"] == ["healthy"]

    became_head = await history(client, spouse, auth())
    assert [e["action"] for e in became_head] == ["household.create", "member.remove"]
    spouse_id = household["members"][1]["id"]
    assert became_head[1]["before"] == {"id": spouse_id, "relation": "spouse"}
    assert became_head[1]["after"] == {"id": spouse_id, "relation": "head"}

    left = await history(client, head, auth())
    assert [e["action"] for e in left] == ["household.create", "member.remove"]
    assert left[1]["after"] == {
        "id": household["members"][0]["id"],
        "left_on": "2019-10-01",
        "leave_reason": "death",
    }
    assert left[0]["after"]["year"]["health"] == ["chronic"]  # shown to health roles


async def test_outside_the_callers_area_the_member_does_not_exist(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    household = await create_household(client, auth())
    other = await create_household(client, auth(), **NEIGHBOUR)
    son = member_url(household, 2)
    assert len(await history(client, son, auth(Role.village_cadre, VILLAGE))) == 1
    assert len(await history(client, son, auth(Role.town_officer, TOWN))) == 1
    for headers in (auth(Role.village_cadre, OTHER_VILLAGE), auth(Role.town_officer, OTHER_TOWN)):
        hidden = await client.get(f"{son}/history", headers=headers)
        assert hidden.status_code == 404
        assert hidden.headers["content-type"] == "application/problem+json"
    neighbour = await client.get(
        f"{son}/history", headers=auth(Role.village_cadre, NEIGHBOUR_VILLAGE)
    )
    assert neighbour.status_code == 404
    # A member of another household, under this household's URL, is not found either.
    foreign = f"/v1/households/{household['id']}/members/{other['members'][0]['id']}/history"
    assert (await client.get(foreign, headers=auth())).status_code == 404
    # Health facts are in the snapshots: roles that may not see them are refused, as for
    # the household's history.
    assert (
        await client.get(f"{son}/history", headers=auth(Role.finance_officer))
    ).status_code == 403


def test_health_details_are_hidden_from_roles_that_may_not_see_them() -> None:
    year = {
        "member_id": "m1",
        "year": 2019,
        "health": ["chronic"],
        "disability_category": "1",
        "disability_grade": 2,
        "labour": "ordinary",
    }
    entry = AuditEntry(
        id=7,
        at=datetime(2019, 11, 20, tzinfo=UTC),
        actor="a",
        actor_role="village_cadre",
        action="member_year.put",
        before=None,
        after=year,
    )
    hidden = narrow(entry, "m1", show_health=False)
    assert hidden.after == {
        "year": {**year, "health": None, "disability_category": None, "disability_grade": None}
    }
    assert narrow(entry, "m1", show_health=True).after == {"year": year}


async def test_a_person_who_moved_is_found_in_both_households_each_with_its_history(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    first = await create_household(client, auth())
    second = await create_household(client, auth(), **NEIGHBOUR)
    await ok(
        client.post(
            f"{member_url(first, 1)}/remove",
            json={"left_on": "2019-06-18", "reason": "married_out"},
            headers=auth(),
        )
    )
    joined = await ok(
        client.post(
            f"/v1/households/{second['id']}/members",
            json={**SPOUSE, "data_year": 2019},
            headers=auth(),
        )
    )
    new_id = joined.json()["id"]

    async def search(headers: dict[str, str]) -> list[dict[str, Any]]:
        response = await client.post(
            "/v1/persons/search", json={"id_number": SPOUSE["id_number"]}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert SPOUSE["id_number"] not in response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def rows(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(i["household_id"], i["member_id"], i["left_on"], i["leave_reason"]) for i in items]

    now = (second["id"], new_id, None, None)
    past = (first["id"], first["members"][1]["id"], "2019-06-18", "married_out")
    assert rows(await search(auth())) == [now, past]  # current first
    assert rows(await search(auth(Role.town_officer, TOWN))) == [now, past]
    # Each household is shown only inside the caller's area.
    assert rows(await search(auth(Role.village_cadre, VILLAGE))) == [past]
    assert rows(await search(auth(Role.village_cadre, NEIGHBOUR_VILLAGE))) == [now]
    assert await search(auth(Role.village_cadre, OTHER_VILLAGE)) == []

    # Every membership found has its own history.
    before = await history(
        client, f"/v1/households/{first['id']}/members/{first['members'][1]['id']}", auth()
    )
    assert [e["action"] for e in before] == ["household.create", "member.remove"]
    assert before[0]["after"]["household_id"] == first["id"]
    assert before[1]["after"]["leave_reason"] == "married_out"
    after = await history(client, f"/v1/households/{second['id']}/members/{new_id}", auth())
    assert [e["action"] for e in after] == ["member.add"]
    assert (after[0]["after"]["id"], after[0]["after"]["household_id"]) == (new_id, second["id"])


async def test_the_history_pages_with_a_cursor(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    household = await create_household(client, auth())
    son, spouse = member_url(household, 2), member_url(household, 1)
    for version, phone in enumerate(["13900000001", "13900000002", "13900000003"], start=1):
        await ok(
            client.patch(son, json={"phone": phone}, headers={**auth(), "If-Match": f'"{version}"'})
        )
        # Another member's entries between the son's must not end up on his pages.
        await ok(
            client.patch(
                spouse, json={"phone": phone}, headers={**auth(), "If-Match": f'"{version}"'}
            )
        )
    whole = await history(client, son, auth())
    assert len(whole) == 4

    first = await client.get(f"{son}/history", params={"limit": 3}, headers=auth())
    assert len(first.json()["items"]) == 3 and first.json()["next_cursor"]
    rest = await client.get(
        f"{son}/history", params={"limit": 3, "cursor": first.json()["next_cursor"]}, headers=auth()
    )
    assert rest.json()["next_cursor"] is None
    assert first.json()["items"] + rest.json()["items"] == whole
    assert [e["after"]["phone"] for e in rest.json()["items"]] == ["13900000003"]
    forged = await client.get(
        f"{son}/history", params={"cursor": encode_cursor("1; drop")}, headers=auth()
    )
    assert forged.status_code == 422


def test_the_endpoint_is_documented_with_a_valid_example(registry_app: FastAPI) -> None:
    doc = registry_app.openapi()
    op = doc["paths"]["/v1/households/{household_id}/members/{member_id}/history"]["get"]
    assert op["summary"] and "oldest first" in op["description"]
    assert "404" in op["responses"]
    [example] = op["responses"]["200"]["content"]["application/json"]["example"]["items"]
    assert MemberHistoryEntry.model_validate(example).action == "member_year.put"
    search = doc["paths"]["/v1/persons/search"]["post"]
    assert "leave_reason" in search["description"]
    match = doc["components"]["schemas"]["PersonMatch"]
    assert "leave_reason" in match["properties"]
