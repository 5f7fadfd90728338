"""Who may do what (DESIGN.md's matrix, every cell that says no) and area scoping: a
household outside the caller's area answers 404 exactly as one that does not exist."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    TokenFactory,
    household_body,
    id_number,
    make_areas,
    row_counts,
)

DISTRICT = "370404"


@pytest.fixture(autouse=True)
async def areas(session: AsyncSession) -> None:
    await make_areas(session)


@pytest.fixture
async def household(client: httpx.AsyncClient, auth: TokenFactory) -> dict[str, Any]:
    response = await client.post("/v1/households", json=household_body(), headers=auth())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _member(h: dict[str, Any]) -> str:
    return f"/v1/households/{h['id']}/members/{h['members'][2]['id']}"


# (method, path, body) of every endpoint that writes a household or its members.
WRITES: dict[str, tuple[str, Any, dict[str, Any] | None]] = {
    "create": ("POST", lambda h: "/v1/households", household_body()),
    "patch": ("PATCH", lambda h: f"/v1/households/{h['id']}", {"phone": "13900000000"}),
    "put year": ("PUT", lambda h: f"/v1/households/{h['id']}/years/2019", {"wage_income": "1"}),
    "add member": (
        "POST",
        lambda h: f"/v1/households/{h['id']}/members",
        {
            "name": "张小雨",
            "id_number": id_number("20190302", "002"),
            "relation": "granddaughter",
            "data_year": 2019,
        },
    ),
    "patch member": ("PATCH", _member, {"phone": "13900000001"}),
    "put member year": ("PUT", lambda h: _member(h) + "/years/2019", {"school_status": "grade7"}),
    "remove member": (
        "POST",
        lambda h: _member(h) + "/remove",
        {"left_on": "2019-06-01", "reason": "moved_out"},
    ),
}
# Reads limited to roles that may see health facts (history snapshots, warning flags).
HEALTH_READS: dict[str, Any] = {
    "history": lambda h: f"/v1/households/{h['id']}/history",
    "warnings": lambda h: f"/v1/households/{h['id']}/warnings",
    "quality warnings": lambda h: "/v1/quality-warnings",
}
READS: dict[str, Any] = {
    "get": lambda h: f"/v1/households/{h['id']}",
    **{k: v for k, v in HEALTH_READS.items() if k != "quality warnings"},
}
READ_ONLY_ROLES = (Role.auditor, Role.finance_officer, Role.provincial_system, Role.service)


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> httpx.Response:
    return await client.request(method, url, json=body, headers={**headers, "If-Match": '"1"'})


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
@pytest.mark.parametrize("endpoint", WRITES)
async def test_read_only_roles_cannot_write(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    session: AsyncSession,
    endpoint: str,
    role: Role,
) -> None:
    method, path, body = WRITES[endpoint]
    before = await row_counts(session)
    response = await _send(client, method, path(household), body, auth(role, DISTRICT))
    assert response.status_code == 403, response.text
    assert await row_counts(session) == before


@pytest.mark.parametrize("role", [Role.finance_officer, Role.provincial_system, Role.service])
@pytest.mark.parametrize("endpoint", HEALTH_READS)
async def test_roles_without_health_access_cannot_read_history_or_warnings(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    endpoint: str,
    role: Role,
) -> None:
    response = await client.get(HEALTH_READS[endpoint](household), headers=auth(role, DISTRICT))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "area"),
    [(Role.town_officer, TOWN), (Role.village_cadre, VILLAGE), (Role.service, DISTRICT)],
)
async def test_only_the_district_office_sets_an_exit_hold(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any], role: Role, area: str
) -> None:
    response = await _send(
        client,
        "PATCH",
        f"/v1/households/{household['id']}",
        {"exit_hold_reason": "县级抽查"},
        auth(role, area),
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "area"), [(Role.town_officer, TOWN), (Role.village_cadre, VILLAGE)]
)
async def test_cadres_and_officers_do_not_record_exits_by_hand(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    session: AsyncSession,
    role: Role,
    area: str,
) -> None:
    before = await row_counts(session)
    exit_ = {"status": "exited_supported", "exit_year": 2019}
    patched = await _send(
        client, "PATCH", f"/v1/households/{household['id']}", exit_, auth(role, area)
    )
    assert patched.status_code == 403
    created = await client.post(
        "/v1/households",
        json=household_body(NEIGHBOUR_VILLAGE if role is Role.town_officer else VILLAGE, **exit_)
        | {
            "members": [
                household_body()["members"][0] | {"id_number": id_number("19700512", "051")}
            ]
        },
        headers=auth(role, area),
    )
    assert created.status_code == 403
    assert await row_counts(session) == before
    # Proposing an exit (预脱贫) is theirs to record.
    proposed = await _send(
        client,
        "PATCH",
        f"/v1/households/{household['id']}",
        {"status": "pre_exit"},
        auth(role, area),
    )
    assert proposed.status_code == 200, proposed.text


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
async def test_read_only_roles_may_read(
    client: httpx.AsyncClient, auth: TokenFactory, household: dict[str, Any], role: Role
) -> None:
    one = await client.get(f"/v1/households/{household['id']}", headers=auth(role, DISTRICT))
    assert one.status_code == 200
    listed = await client.get("/v1/households", headers=auth(role, DISTRICT))
    assert [h["id"] for h in listed.json()["items"]] == [household["id"]]


async def test_unauthenticated_requests_are_401(
    client: httpx.AsyncClient, household: dict[str, Any]
) -> None:
    assert (await client.get("/v1/households")).status_code == 401
    assert (await client.get(f"/v1/households/{household['id']}")).status_code == 401
    search = await client.post("/v1/persons/search", json={"id_number": "370404197005120312"})
    assert search.status_code == 401


# --- area scoping -------------------------------------------------------------------------

OUTSIDERS = {
    "cadre of a neighbouring village": (Role.village_cadre, NEIGHBOUR_VILLAGE),
    "cadre of another town's village": (Role.village_cadre, OTHER_VILLAGE),
    "officer of another town": (Role.town_officer, OTHER_TOWN),
}


def _ghost(h: dict[str, Any]) -> dict[str, Any]:
    """The same shape of household with an id nobody has."""
    return {**h, "id": str(uuid.uuid4())}


@pytest.mark.parametrize(("role", "area"), OUTSIDERS.values(), ids=OUTSIDERS.keys())
@pytest.mark.parametrize("endpoint", [k for k in WRITES if k != "create"])
async def test_writes_outside_the_area_are_404_like_a_missing_household(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    session: AsyncSession,
    endpoint: str,
    role: Role,
    area: str,
) -> None:
    method, path, body = WRITES[endpoint]
    before = await row_counts(session)
    outside = await _send(client, method, path(household), body, auth(role, area))
    missing = await _send(client, method, path(_ghost(household)), body, auth(role, area))
    assert outside.status_code == missing.status_code == 404
    assert outside.json()["detail"] == missing.json()["detail"]
    assert await row_counts(session) == before


@pytest.mark.parametrize(("role", "area"), OUTSIDERS.values(), ids=OUTSIDERS.keys())
@pytest.mark.parametrize("endpoint", READS)
async def test_reads_outside_the_area_are_404_like_a_missing_household(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    endpoint: str,
    role: Role,
    area: str,
) -> None:
    outside = await client.get(READS[endpoint](household), headers=auth(role, area))
    missing = await client.get(READS[endpoint](_ghost(household)), headers=auth(role, area))
    assert outside.status_code == missing.status_code == 404
    assert outside.json()["detail"] == missing.json()["detail"]


@pytest.mark.parametrize(("role", "area"), OUTSIDERS.values(), ids=OUTSIDERS.keys())
async def test_outsiders_neither_list_nor_see_warnings_of_the_household(
    client: httpx.AsyncClient, auth: TokenFactory, role: Role, area: str
) -> None:
    body = household_body()
    body["year"]["operating_expenses"] = "0"  # leaves a warning
    created = await client.post("/v1/households", json=body, headers=auth())
    assert created.status_code == 201
    assert (await client.get("/v1/quality-warnings", headers=auth())).json()["items"]
    listed = await client.get("/v1/households", headers=auth(role, area))
    assert listed.json()["items"] == []
    warnings = await client.get("/v1/quality-warnings", headers=auth(role, area))
    assert warnings.json()["items"] == []


@pytest.mark.parametrize(
    ("role", "area"), [(Role.village_cadre, VILLAGE), (Role.town_officer, OTHER_TOWN)]
)
async def test_creating_into_a_village_outside_the_area_is_422_naming_village_code(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, role: Role, area: str
) -> None:
    before = await row_counts(session)
    target = NEIGHBOUR_VILLAGE if role is Role.village_cadre else VILLAGE
    response = await client.post(
        "/v1/households", json=household_body(target), headers=auth(role, area)
    )
    assert response.status_code == 422
    assert ["body", "village_code"] in [e["loc"] for e in response.json()["errors"]]
    assert await row_counts(session) == before


async def test_cadres_and_officers_write_inside_their_area(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    cadre = await client.post(
        "/v1/households", json=household_body(), headers=auth(Role.village_cadre, VILLAGE)
    )
    assert cadre.status_code == 201, cadre.text
    url = f"/v1/households/{cadre.json()['id']}"
    officer = await _send(
        client, "PATCH", url, {"phone": "13900000000"}, auth(Role.town_officer, TOWN)
    )
    assert officer.status_code == 200, officer.text


# --- health and disability details --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "area", "sees"),
    [
        (Role.district_admin, DISTRICT, True),
        (Role.town_officer, TOWN, True),
        (Role.village_cadre, VILLAGE, True),
        (Role.auditor, DISTRICT, True),
        (Role.finance_officer, DISTRICT, False),
        (Role.provincial_system, DISTRICT, False),
        (Role.service, DISTRICT, False),
    ],
)
async def test_health_details_only_for_roles_that_need_them(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    household: dict[str, Any],
    role: Role,
    area: str,
    sees: bool,
) -> None:
    headers = auth(role, area)
    one = (await client.get(f"/v1/households/{household['id']}", headers=headers)).json()
    head_year = one["members"][0]["year"]
    if sees:
        assert head_year["health"] == ["chronic"]
    else:
        assert head_year["health"] is None
        assert head_year["disability_category"] is None
        assert head_year["disability_grade"] is None
    # Everything else of the year stays visible.
    assert head_year["labour"] == "ordinary"
    # The list's summaries carry no member details at all, whoever asks.
    listed = (await client.get("/v1/households", headers=headers)).json()["items"][0]
    assert (listed["head_name"], listed["size"]) == ("张建国", 3)
    assert not {"members", "departed_members"} & set(listed)
