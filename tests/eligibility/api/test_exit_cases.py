"""Household exit cases: §3's procedure on the server's (injected) clock, and deregistration
that really changes the household in the registry — idempotently."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.auth import Role
from shared.models import AuditEntry
from tests.eligibility.api import factories as f
from tests.eligibility.api.factories import (
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    Registry,
    RegistryWorld,
    TestClock,
    TokenFactory,
)


@pytest.fixture(scope="session")
async def case_village(registry: Registry, world: RegistryWorld) -> str:
    """A village of its own: households here are changed by deregistration."""
    code = f.fresh_village_code()
    await registry.village(code, "曹庄村")
    return code


@pytest.fixture
async def household(registry: Registry, case_village: str) -> uuid.UUID:
    return await registry.household(f.household_body(case_village))


class Steps:
    def __init__(self, client: httpx.AsyncClient, auth: TokenFactory, village: str) -> None:
        self.client = client
        self.cadre = auth(Role.village_cadre, village, subject="wang.cadre")
        self.town = auth(Role.town_officer, village[:9], subject="li.town")
        self.admin = auth(Role.district_admin, subject="admin")

    async def post(
        self, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.post(path, json=body, headers=headers)

    async def open(self, household: uuid.UUID, year: int = 2019) -> httpx.Response:
        return await self.post(
            "/v1/exit-cases",
            {"household_id": str(household), "year": year, "note": "评议通过"},
            self.cadre,
        )


def case_steps(client: httpx.AsyncClient, auth: TokenFactory, village: str) -> Steps:
    return Steps(client, auth, village)


async def test_the_whole_procedure_on_the_servers_clock(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    clock: TestClock,
    household: uuid.UUID,
    case_village: str,
    registry: Registry,
    db: AsyncConnection,
) -> None:
    s = case_steps(client, auth, case_village)
    opened = await s.open(household)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    path = f"/v1/exit-cases/{case['id']}"
    assert opened.headers["location"] == path
    assert case["state"] == "review" and case["assessment"]["eligible"] is True
    assert case["next_actions"] == ["publish_notice", "withdraw"]

    notice = await s.post(f"{path}/notice", {"note": "村务公开栏"}, s.cadre)
    assert notice.status_code == 200, notice.text
    assert notice.json()["state"] == "village_notice"
    assert notice.json()["period_ends_at"].startswith("2019-11-12T08:00:00")

    # The town review waits for the seven days, on the server's clock.
    clock.advance(days=6, hours=23, minutes=59)
    early = await s.post(f"{path}/town-review", {"decision": "approved"}, s.town)
    assert early.status_code == 409
    assert early.json()["type"] == "/problems/procedure-violation"
    assert early.json()["period"] == "notice"

    # An objection during the notice sends the case back to review.
    objected = await s.post(
        f"{path}/objections", {"objection": "收入不实", "lodged_by": "村民李某"}, s.cadre
    )
    assert objected.status_code == 200, objected.text
    assert objected.json()["state"] == "review" and objected.json()["period"] is None
    back = await s.post(f"{path}/town-review", {"decision": "approved"}, s.town)
    assert back.status_code == 409

    # Republished: the seven days start again.
    clock.advance(hours=1)
    assert (await s.post(f"{path}/notice", {}, s.cadre)).status_code == 200
    clock.advance(days=7)
    late = await s.post(f"{path}/objections", {"objection": "迟到的异议"}, s.cadre)
    assert late.status_code == 409
    reviewed = await s.post(
        f"{path}/town-review", {"decision": "approved", "note": "抽查属实"}, s.town
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["state"] == "town_reviewed"

    announced = await s.post(f"{path}/announcement", {}, s.town)
    assert announced.json()["state"] == "announcement"
    clock.advance(days=4)
    too_soon = await s.post(f"{path}/deregistration", {}, s.admin)
    assert too_soon.status_code == 409
    assert (await registry.read(household))["status"] == "not_exited"

    clock.advance(days=1)
    done = await s.post(f"{path}/deregistration", {"note": "销号"}, s.admin)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["state"] == "deregistered" and body["closed_at"] is not None
    assert body["registry_record"]["status"] == "exited_supported"
    assert body["next_actions"] == []
    in_registry = await registry.read(household)
    assert (in_registry["status"], in_registry["exit_year"]) == ("exited_supported", 2019)
    actions = [e["action"] for e in body["events"]]
    assert actions == [
        "propose", "publish_notice", "object", "publish_notice", "town_review", "announce",
        "deregister",
    ]  # fmt: skip
    assert all(e["at"] for e in body["events"])

    again = await s.post(f"{path}/deregistration", {}, s.admin)
    assert again.status_code == 409  # the case is closed; the registry is untouched
    assert (await registry.read(household))["version"] == in_registry["version"]

    audited = (
        (
            await db.execute(
                sa.select(AuditEntry.action)
                .where(AuditEntry.entity_id == case["id"])
                .order_by(AuditEntry.id)
            )
        )
        .scalars()
        .all()
    )
    assert audited == [f"exit_case.{a}" for a in actions]


async def test_recording_an_exit_twice_in_the_registry_is_harmless(
    eligibility_app: Any, registry: Registry, household: uuid.UUID
) -> None:
    client = eligibility_app.state.registry
    first = await client.record_household_exit(household, 2019, key="exit-case-test")
    second = await client.record_household_exit(household, 2019, key="exit-case-test")
    assert first["version"] == second["version"]
    assert (await registry.read(household))["exit_year"] == 2019


async def test_a_household_not_meeting_section_3_cannot_be_proposed(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    s = case_steps(client, auth, VILLAGE)
    refused = await s.open(world.failing)
    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/exit-conditions-not-met"
    assert len(refused.json()["reasons"]) == 3
    exited = await s.open(world.exited)
    assert exited.status_code == 409 and exited.json()["status"] == "exited_supported"


async def test_cases_are_scoped_to_the_area(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    s = case_steps(client, auth, VILLAGE)
    outside = await s.open(world.far)
    assert outside.status_code == 404
    opened = await s.open(world.passing)
    assert opened.status_code == 201, opened.text
    path = f"/v1/exit-cases/{opened.json()['id']}"
    for headers in (auth(Role.village_cadre, OTHER_VILLAGE), auth(Role.town_officer, "370404100")):
        assert (await client.get(path, headers=headers)).status_code == 404
        assert (await client.post(f"{path}/notice", json={}, headers=headers)).status_code in (
            403,
            404,
        )
    for headers in (auth(Role.town_officer, TOWN), auth(Role.auditor), s.cadre):
        assert (await client.get(path, headers=headers)).status_code == 200
    listed = await client.get("/v1/exit-cases", params={"state": "open"}, headers=s.cadre)
    assert [c["id"] for c in listed.json()["items"]] == [opened.json()["id"]]
    assert (
        await client.get("/v1/exit-cases", headers=auth(Role.village_cadre, OTHER_VILLAGE))
    ).json()["items"] == []
    twice = await s.open(world.passing)
    assert twice.status_code == 409
    counted = await client.get(
        "/v1/stats/exit-cases", params={"year": 2019}, headers=auth(Role.town_officer, TOWN)
    )
    assert counted.json()["items"] == [
        {"town_code": TOWN, "village_code": VILLAGE, "state": "review", "cases": 1}
    ]
    elsewhere = await client.get(
        "/v1/stats/exit-cases",
        params={"year": 2019},
        headers=auth(Role.town_officer, "370404100"),
    )
    assert elsewhere.status_code == 200 and elsewhere.json()["items"] == []


async def test_who_takes_which_step(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld, clock: TestClock
) -> None:
    s = case_steps(client, auth, VILLAGE)
    assert (await s.post("/v1/exit-cases", {"household_id": str(world.passing), "year": 2019},
                         s.town)).status_code == 403  # fmt: skip
    case = (await s.open(world.passing)).json()
    path = f"/v1/exit-cases/{case['id']}"
    assert (await s.post(f"{path}/notice", {}, s.town)).status_code == 403
    assert (await s.post(f"{path}/notice", {}, s.cadre)).status_code == 200
    clock.advance(days=7)
    assert (
        await s.post(f"{path}/town-review", {"decision": "approved"}, s.cadre)
    ).status_code == 403
    rejected = await s.post(
        f"{path}/town-review", {"decision": "rejected", "note": "抽查不实"}, s.town
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    # A rejected case is closed; a new one may be opened.
    assert (await s.open(world.passing)).status_code == 201


async def test_withdrawal_if_match_and_idempotent_retries(
    client: httpx.AsyncClient, auth: TokenFactory, world: RegistryWorld
) -> None:
    s = case_steps(client, auth, VILLAGE)
    opened = await s.open(world.passing)
    path = f"/v1/exit-cases/{opened.json()['id']}"
    etag = opened.headers["etag"]
    retry = {**s.cadre, "Idempotency-Key": "notice-1"}
    first = await s.post(f"{path}/notice", {}, retry)
    replay = await s.post(f"{path}/notice", {}, retry)
    assert first.status_code == replay.status_code == 200
    assert replay.headers.get("idempotent-replayed") == "true"
    assert len(first.json()["events"]) == len(replay.json()["events"]) == 2
    stale = await s.post(
        f"{path}/withdrawal", {"reason": "户主申请"}, {**s.cadre, "If-Match": etag}
    )
    assert stale.status_code == 412
    withdrawn = await s.post(
        f"{path}/withdrawal", {"reason": "户主申请"}, {**s.cadre, "If-Match": first.headers["etag"]}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    missing = await client.get(f"/v1/exit-cases/{uuid.uuid4()}", headers=s.admin)
    assert missing.status_code == 404


async def test_the_town_review_re_assesses_the_registry_record(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    clock: TestClock,
    household: uuid.UUID,
    case_village: str,
    registry: Registry,
) -> None:
    s = case_steps(client, auth, case_village)
    case = (await s.open(household)).json()
    path = f"/v1/exit-cases/{case['id']}"
    assert (await s.post(f"{path}/notice", {}, s.cadre)).status_code == 200
    # The announcement cannot come before the town review, whatever the clock says.
    clock.advance(days=30)
    skipped = await s.post(f"{path}/announcement", {}, s.town)
    assert skipped.status_code == 409 and skipped.json()["state"] == "village_notice"
    # Meanwhile the survey is corrected in the registry: the income was lower.
    version = (await registry.read(household))["version"]
    changed = await registry.client.put(
        f"/v1/households/{household}/years/2019",
        json={"wage_income": "3000.00", "drinking_water_safe": True},
        headers={**registry.admin, "If-Match": f'"{version}"'},
    )
    assert changed.status_code == 200, changed.text
    refused = await s.post(f"{path}/town-review", {"decision": "approved"}, s.town)
    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/exit-conditions-not-met"
    assert refused.json()["reasons"][0].startswith("稳定收入")
    rejected = await s.post(
        f"{path}/town-review", {"decision": "rejected", "note": "抽查收入不实"}, s.town
    )
    assert rejected.json()["state"] == "rejected"
    assert (await registry.read(household))["status"] == "not_exited"
