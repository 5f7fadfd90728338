"""The project procedure of 第五章第三节二: proposed in one's own town, each stage in order
by the role the procedure names, each review with its public notice, no stage before the
previous notice has run, corrections only before review (with If-Match)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.funds.codes import Stage
from shared.auth import Role
from tests.funds.factories import (
    LONG_AGO,
    OTHER_TOWN,
    TOWN,
    VILLAGE,
    TokenFactory,
    notice,
    project_body,
    stage_steps,
)
from tests.funds.helpers import make_project, ok

TOWN_OFFICER = (Role.town_officer, TOWN)


def stage(name: str, days_after: int, **extra: Any) -> dict[str, Any]:
    on = LONG_AGO + timedelta(days=days_after)
    body: dict[str, Any] = {"stage": name, "decided_on": on.isoformat(), **extra}
    return body


async def post_stage(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    project: dict[str, Any],
    body: dict[str, Any],
    who: tuple[Role, str] = TOWN_OFFICER,
) -> httpx.Response:
    return await client.post(f"/v1/projects/{project['id']}/stages", json=body, headers=auth(*who))


async def test_a_town_officer_proposes_and_the_procedure_runs_to_acceptance(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.accepted)

    assert project["stage"] == "accepted"
    stages = [s["stage"] for s in project["stages"]]
    assert stages == [
        "proposed", "village_reviewed", "town_reviewed", "district_approved",
        "agreement_signed", "under_construction", "accepted",
    ]  # fmt: skip
    notices = {s["stage"]: s["notice"] for s in project["stages"] if s["notice"]}
    assert set(notices) == {"village_reviewed", "town_reviewed", "district_approved"}
    assert notices["village_reviewed"]["ends_on"] == (LONG_AGO + timedelta(days=15)).isoformat()
    roles = {s["stage"]: s["actor_role"] for s in project["stages"]}
    assert roles["district_approved"] == roles["accepted"] == "district_admin"


async def test_a_town_officer_cannot_propose_in_another_town(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    body = project_body(town_code=OTHER_TOWN, village_code="370404100001")
    response = await client.post("/v1/projects", json=body, headers=auth(*TOWN_OFFICER))
    assert response.status_code == 403
    assert "outside your area" in response.json()["detail"]


async def test_a_village_of_another_town_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    body = project_body(village_code="370404100001")
    response = await client.post("/v1/projects", json=body, headers=auth(*TOWN_OFFICER))
    assert response.status_code == 422
    assert "not a village of town_code" in response.text


async def test_stages_cannot_be_skipped_or_repeated(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    skip = await post_stage(
        client,
        auth,
        project,
        stage("town_reviewed", 8, notice=notice(LONG_AGO + timedelta(days=8))),
    )
    assert skip.status_code == 409
    assert skip.json()["next_stage"] == "village_reviewed"

    ok(
        await post_stage(
            client,
            auth,
            project,
            stage("village_reviewed", 8, notice=notice(LONG_AGO + timedelta(days=8))),
        )
    )
    again = await post_stage(
        client,
        auth,
        project,
        stage("village_reviewed", 20, notice=notice(LONG_AGO + timedelta(days=20))),
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("step_index", "wrong"),
    [
        (0, (Role.district_admin, "370404")),  # village review: the town office records it
        (1, (Role.district_admin, "370404")),  # town review
        (2, (Role.town_officer, TOWN)),  # district approval: not the town
        (5, (Role.town_officer, TOWN)),  # acceptance: the district
    ],
)
async def test_each_stage_is_recorded_by_its_role_only(
    client: httpx.AsyncClient, auth: TokenFactory, step_index: int, wrong: tuple[Role, str]
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    steps = stage_steps(LONG_AGO)
    for role, body in steps[:step_index]:
        area = TOWN if role == "town_officer" else "370404"
        ok(await post_stage(client, auth, project, body, (Role(role), area)))
    response = await post_stage(client, auth, project, steps[step_index][1], wrong)
    assert response.status_code == 403
    assert "is recorded by" in response.json()["detail"]


async def test_an_officer_of_another_town_does_not_see_the_project(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    other = auth(Role.town_officer, OTHER_TOWN)
    body = stage("village_reviewed", 8, notice=notice(LONG_AGO + timedelta(days=8)))
    assert (await client.get(f"/v1/projects/{project['id']}", headers=other)).status_code == 404
    response = await post_stage(client, auth, project, body, (Role.town_officer, OTHER_TOWN))
    assert response.status_code == 404
    listed = ok(await client.get("/v1/projects", headers=other), 200)
    assert project["id"] not in {p["id"] for p in listed["items"]}
    mine = ok(await client.get("/v1/projects", headers=auth(*TOWN_OFFICER)), 200)
    assert project["id"] in {p["id"] for p in mine["items"]}


async def test_a_review_needs_its_public_notice(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    response = await post_stage(client, auth, project, stage("village_reviewed", 8))
    assert response.status_code == 422
    assert "一榜公示" in response.text


async def test_the_next_stage_waits_until_the_notice_has_run(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    published = LONG_AGO + timedelta(days=8)
    ok(
        await post_stage(
            client, auth, project, stage("village_reviewed", 8, notice=notice(published, days=7))
        )
    )
    early = stage("town_reviewed", 14, notice=notice(LONG_AGO + timedelta(days=14)))
    response = await post_stage(client, auth, project, early)
    assert response.status_code == 409
    assert response.json()["notice_ends_on"] == (published + timedelta(days=7)).isoformat()
    ok(
        await post_stage(
            client,
            auth,
            project,
            stage("town_reviewed", 15, notice=notice(LONG_AGO + timedelta(days=15))),
        )
    )


async def test_a_review_may_reject_and_the_project_is_closed(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    no_note = await post_stage(client, auth, project, stage("rejected", 8))
    assert no_note.status_code == 422
    rejected = ok(
        await post_stage(client, auth, project, stage("rejected", 8, note="村民代表会议未通过"))
    )
    assert rejected["stage"] == "rejected"
    after = await post_stage(
        client,
        auth,
        project,
        stage("village_reviewed", 30, notice=notice(LONG_AGO + timedelta(days=30))),
    )
    assert after.status_code == 409


async def test_acceptance_cannot_be_rejected(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    project = await make_project(client, auth, until=Stage.under_construction)
    response = await post_stage(
        client,
        auth,
        project,
        stage("rejected", 80, note="质量不合格"),
        (Role.district_admin, "370404"),
    )
    assert response.status_code == 409
    assert "only at a review" in response.json()["detail"]


async def test_a_proposal_is_corrected_with_if_match_until_review(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    url = f"/v1/projects/{project['id']}"
    read = await client.get(url, headers=auth(*TOWN_OFFICER))
    etag = read.headers["etag"]

    missing = await client.patch(url, json={"planned_households": 20}, headers=auth(*TOWN_OFFICER))
    assert missing.status_code == 428
    changed = await client.patch(
        url,
        json={"planned_households": 20, "budget": "90000.00"},
        headers={**auth(*TOWN_OFFICER), "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["planned_households"], changed.json()["budget"]) == (20, "90000.00")
    stale = await client.patch(
        url, json={"planned_households": 25}, headers={**auth(*TOWN_OFFICER), "If-Match": etag}
    )
    assert stale.status_code == 412

    ok(
        await post_stage(
            client,
            auth,
            project,
            stage("village_reviewed", 8, notice=notice(LONG_AGO + timedelta(days=8))),
        )
    )
    current = (await client.get(url, headers=auth(*TOWN_OFFICER))).headers["etag"]
    late = await client.patch(
        url, json={"budget": "1.00"}, headers={**auth(*TOWN_OFFICER), "If-Match": current}
    )
    assert late.status_code == 409
    assert "can no longer change" in late.json()["detail"]


async def test_the_project_lists_filter_by_village_year_and_stage(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    made = await make_project(client, auth, until=Stage.town_reviewed, year=2019)
    listed = ok(
        await client.get(
            "/v1/projects",
            params={"village_code": VILLAGE, "year": 2019, "stage": "town_reviewed"},
            headers=auth(Role.auditor),
        ),
        200,
    )
    assert [p["id"] for p in listed["items"]] == [made["id"]]


async def test_a_future_decision_date_is_refused(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    response = await post_stage(
        client, auth, project, stage("village_reviewed", 100_000, notice=notice(LONG_AGO))
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "decided_on"]


async def test_a_correction_may_not_clear_the_budget(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    project = await make_project(client, auth, until=Stage.proposed)
    url = f"/v1/projects/{project['id']}"
    headers = {**auth(*TOWN_OFFICER), "If-Match": f'"{project["version"]}"'}
    response = await client.patch(url, json={"budget": None}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "budget"]
