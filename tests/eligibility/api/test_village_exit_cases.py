"""Key-village exit cases: §4's procedure on the injected clock; deregistration sets the
designation's exit year in the registry."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import Role
from tests.eligibility.api import factories as f
from tests.eligibility.api.factories import (
    KEY_VILLAGE,
    TOWN,
    WEAK_VILLAGE,
    Registry,
    RegistryWorld,
    TestClock,
    TokenFactory,
)


@pytest.fixture
async def village(registry: Registry, world: RegistryWorld) -> str:
    """A provincial key village of its own, meeting §4 in 2019 (its exit changes the registry)."""
    code = f.fresh_village_code()
    await registry.village(code, "新兴村", designation=True, year=f.village_year(1800))
    await registry.household(f.household_body(code))  # 3 poor of 1800: 0.17 %
    return code


async def test_the_village_procedure(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    clock: TestClock,
    registry: Registry,
    village: str,
) -> None:
    town = auth(Role.town_officer, TOWN, subject="li.town")
    admin = auth(Role.district_admin, subject="admin")
    opened = await client.post(
        "/v1/village-exit-cases",
        json={"village_code": village, "year": 2019, "designation": "provincial"},
        headers=town,
    )
    assert opened.status_code == 201, opened.text
    path = f"/v1/village-exit-cases/{opened.json()['id']}"
    assert opened.json()["state"] == "town_assessed"
    assert opened.json()["assessment"]["eligible"] is True

    assert (await client.post(f"{path}/notice", json={}, headers=town)).status_code == 200
    clock.advance(days=3)
    early = await client.post(
        f"{path}/district-evaluation",
        json={"decision": "approved", "evaluator": "第三方"},
        headers=admin,
    )
    assert early.status_code == 409
    objected = await client.post(
        f"{path}/objections", json={"objection": "道路未硬化"}, headers=town
    )
    assert objected.json()["state"] == "town_assessed"
    assert (await client.post(f"{path}/notice", json={}, headers=town)).status_code == 200
    clock.advance(days=7)
    evaluated = await client.post(
        f"{path}/district-evaluation",
        json={"decision": "approved", "evaluator": "枣庄学院第三方评估组"},
        headers=admin,
    )
    assert evaluated.status_code == 200, evaluated.text
    assert evaluated.json()["evaluator"] == "枣庄学院第三方评估组"
    approved = await client.post(f"{path}/approval", json={}, headers=admin)
    assert approved.json()["state"] == "announcement"
    clock.advance(days=4, hours=23)
    assert (await client.post(f"{path}/deregistration", json={}, headers=admin)).status_code == 409
    clock.advance(hours=1)
    done = await client.post(f"{path}/deregistration", json={"note": "报市备案"}, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "deregistered"
    designation = (await registry.village_detail(village))["designations"][0]
    assert (designation["designation"], designation["exit_year"]) == ("provincial", 2019)

    # Exited from the list: no second case for it.
    again = await client.post(
        "/v1/village-exit-cases", json={"village_code": village, "year": 2019}, headers=town
    )
    assert again.status_code == 409


async def test_a_village_not_meeting_section_4_cannot_be_proposed(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    town = auth(Role.town_officer, TOWN)
    weak = await client.post(
        "/v1/village-exit-cases", json={"village_code": WEAK_VILLAGE, "year": 2019}, headers=town
    )
    assert weak.status_code == 409
    assert weak.json()["type"] == "/problems/village-exit-conditions-not-met"
    not_key = await client.post(
        "/v1/village-exit-cases", json={"village_code": f.VILLAGE, "year": 2019}, headers=town
    )
    assert not_key.status_code == 409
    outside = await client.post(
        "/v1/village-exit-cases",
        json={"village_code": KEY_VILLAGE, "year": 2019},
        headers=auth(Role.town_officer, "370404100"),
    )
    assert outside.status_code == 404


async def test_village_case_roles_and_reads(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld, clock: TestClock
) -> None:
    town = auth(Role.town_officer, TOWN)
    cadre = auth(Role.village_cadre, KEY_VILLAGE)
    assert (
        await client.post(
            "/v1/village-exit-cases",
            json={"village_code": KEY_VILLAGE, "year": 2019},
            headers=cadre,
        )
    ).status_code == 403
    opened = await client.post(
        "/v1/village-exit-cases", json={"village_code": KEY_VILLAGE, "year": 2019}, headers=town
    )
    assert opened.status_code == 201, opened.text
    path = f"/v1/village-exit-cases/{opened.json()['id']}"
    assert (await client.post(f"{path}/notice", json={}, headers=town)).status_code == 200
    clock.advance(days=8)
    assert (
        await client.post(
            f"{path}/district-evaluation",
            json={"decision": "approved", "evaluator": "x"},
            headers=town,
        )
    ).status_code == 403
    rejected = await client.post(
        f"{path}/district-evaluation",
        json={"decision": "rejected", "evaluator": "区扶贫办"},
        headers=auth(Role.district_admin),
    )
    assert rejected.json()["state"] == "rejected"
    assert (await client.get(path, headers=cadre)).status_code == 200
    assert (
        await client.get(path, headers=auth(Role.village_cadre, WEAK_VILLAGE))
    ).status_code == 404
    listed = await client.get("/v1/village-exit-cases", params={"year": 2019}, headers=town)
    assert [c["id"] for c in listed.json()["items"]] == [opened.json()["id"]]


async def test_a_village_case_can_be_withdrawn_before_deregistration(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    town = auth(Role.town_officer, TOWN)
    opened = await client.post(
        "/v1/village-exit-cases", json={"village_code": KEY_VILLAGE, "year": 2019}, headers=town
    )
    path = f"/v1/village-exit-cases/{opened.json()['id']}"
    withdrawn = await client.post(
        f"{path}/withdrawal", json={"reason": "待集体收入核实"}, headers=town
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn" and withdrawn.json()["closed_at"]
    assert [e["action"] for e in withdrawn.json()["events"]] == ["propose", "withdraw"]
    closed = await client.post(f"{path}/notice", json={}, headers=town)
    assert closed.status_code == 409
    reopened = await client.post(
        "/v1/village-exit-cases", json={"village_code": KEY_VILLAGE, "year": 2019}, headers=town
    )
    assert reopened.status_code == 201
