"""Batch runs over the real registry: progress while running, the summary when done, results
kept per household — and the same answers as the single-household endpoints."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.eligibility.registry_client import RegistryClient
from shared.auth import Role
from tests.eligibility.api.factories import (
    NEIGHBOUR,
    OTHER_TOWN,
    TOWN,
    VILLAGE,
    RegistryWorld,
    TokenFactory,
)


async def finished(
    client: httpx.AsyncClient, app: FastAPI, headers: dict[str, str], area: str, year: int = 2019
) -> dict[str, Any]:
    started = await client.post("/v1/runs", json={"year": year, "area_code": area}, headers=headers)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    await asyncio.wait_for(app.state.runs.wait_started(started.json()["id"]), 30)
    got = await client.get(started.headers["location"], headers=headers)
    assert got.status_code == 200
    body: dict[str, Any] = got.json()
    assert body["status"] == "done", (body["status"], body["error"])
    return body


async def test_a_run_over_a_village_and_its_summary(
    committed_client: httpx.AsyncClient,
    eligibility_app: FastAPI,
    auth: TokenFactory,
    world: RegistryWorld,
) -> None:
    town = auth(Role.town_officer, TOWN, subject="li.town")
    run = await finished(committed_client, eligibility_app, town, VILLAGE)
    progress = {k: run[k] for k in ("households_loaded", "households_total", "results_stored")}
    assert progress == {"households_loaded": 4, "households_total": 4, "results_stored": 4}
    assert run["source"] == "export"  # the registry's NDJSON stream, one request
    assert {p["name"] for p in run["parameters"]} >= {"poverty_line.provincial"}
    summary = run["summary"]
    assert (summary["households"], summary["persons"], summary["facts_invalid"]) == (4, 11, 0)
    # passing, failing and the 低保 household are candidates; the exited one is not.
    assert summary["exit"] == {
        "candidates": 3,
        "passed": 1,
        "failed": 2,
        "failing_reasons": {"stable_income": 2, "basic_medical": 1, "safe_housing": 1},
    }
    by_benefit = {(b["code"], b["unit"]): b for b in summary["entitlements"]["by_benefit"]}
    assert by_benefit[("elderly_allowance", "yuan")]["amount"] == "1560.00"
    assert by_benefit[("dibao", "yuan")] == {
        "code": "dibao", "period": "year", "unit": "yuan", "amount": "4600.00", "households": 1,
    }  # fmt: skip
    assert summary["entitlements"]["targeted_households"] == 4

    results = await committed_client.get(f"/v1/runs/{run['id']}/results", headers=town)
    assert len(results.json()["items"]) == 4
    failing = await committed_client.get(
        f"/v1/runs/{run['id']}/results", params={"failing": "stable_income"}, headers=town
    )
    assert {r["household_id"] for r in failing.json()["items"]} == {
        str(world.failing),
        str(world.elderly),
    }
    page = await committed_client.get(
        f"/v1/runs/{run['id']}/results", params={"limit": 3}, headers=town
    )
    rest = await committed_client.get(
        f"/v1/runs/{run['id']}/results", params={"limit": 3, "cursor": page.json()["next_cursor"]},
        headers=town,
    )  # fmt: skip
    assert len(page.json()["items"]) + len(rest.json()["items"]) == 4


async def test_run_results_agree_with_the_single_household_endpoints(
    committed_client: httpx.AsyncClient,
    eligibility_app: FastAPI,
    auth: TokenFactory,
    world: RegistryWorld,
) -> None:
    admin = auth(Role.district_admin)
    run = await finished(committed_client, eligibility_app, admin, VILLAGE)
    for household in world.all_in_village:
        result = (
            await committed_client.get(f"/v1/runs/{run['id']}/results/{household}", headers=admin)
        ).json()
        single_exit = (
            await committed_client.post(
                f"/v1/households/{household}/exit-assessment", params={"year": 2019}, headers=admin
            )
        ).json()
        assert result["exit_eligible"] == single_exit["eligible"]
        assert result["failing"] == [
            c["code"] for c in single_exit["conditions"] if not c["passed"]
        ]
        single = (
            await committed_client.post(
                f"/v1/households/{household}/entitlements", params={"year": 2019}, headers=admin
            )
        ).json()
        assert result["targeted"] == single["targeted"]
        assert {(a["code"], a["period"], a["unit"]): a["amount"] for a in result["amounts"]} == {
            (b["code"], b["period"], b["unit"]): b["amount"] for b in single["by_benefit"]
        }
        yearly = sum(
            (
                Decimal(t["amount"])
                for t in single["totals"]
                if (t["period"], t["unit"]) == ("year", "yuan")
            ),
            Decimal(0),
        )
        assert Decimal(result["yearly_yuan"]) == yearly


async def test_households_the_registry_cannot_give_facts_for_are_reported(
    committed_client: httpx.AsyncClient,
    eligibility_app: FastAPI,
    auth: TokenFactory,
    world: RegistryWorld,
) -> None:
    admin = auth(Role.district_admin)
    run = await finished(committed_client, eligibility_app, admin, NEIGHBOUR)
    summary = run["summary"]
    # The bulk answers list the households surveyed in the year (the unsurveyed one is not
    # there); the one whose record the rules cannot read is reported, not dropped.
    assert (summary["households"], summary["facts_invalid"]) == (2, 1)
    assert summary["invalid_facts"] == {"registry.members": 1}
    assert summary["exit"]["candidates"] == 1
    bad = (
        await committed_client.get(f"/v1/runs/{run['id']}/results/{world.ungraded}", headers=admin)
    ).json()
    assert bad["facts_errors"][0]["loc"][:2] == ["registry", "members"]
    assert "disability_grade" in bad["facts_errors"][0]["msg"]
    assert bad["exit_eligible"] is None and bad["amounts"] == []
    single = await committed_client.post(
        f"/v1/households/{world.ungraded}/exit-assessment", params={"year": 2019}, headers=admin
    )
    assert single.status_code == 422
    assert single.json()["errors"] == bad["facts_errors"]


class Gate(httpx.AsyncBaseTransport):
    """Holds the registry's export until the test opens it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.reached = asyncio.Event()
        self.open = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/exports/households.jsonl":
            self.reached.set()
            await self.open.wait()
        return await self.inner.handle_async_request(request)


async def test_progress_while_the_run_runs(
    committed_client: httpx.AsyncClient,
    eligibility_app: FastAPI,
    registry_app: FastAPI,
    auth: TokenFactory,
    world: RegistryWorld,
) -> None:
    admin = auth(Role.district_admin)
    gate = Gate(httpx.ASGITransport(app=registry_app))
    manager = eligibility_app.state.runs
    real = manager.registry
    manager.registry = RegistryClient("http://registry.test", transport=gate)
    try:
        started = await committed_client.post(
            "/v1/runs", json={"year": 2019, "area_code": VILLAGE}, headers=admin
        )
        assert started.status_code == 202
        await asyncio.wait_for(gate.reached.wait(), 10)
        running = (await committed_client.get(started.headers["location"], headers=admin)).json()
        assert running["status"] == "loading"
        assert running["households_total"] is None
        assert running["summary"] is None and running["started_at"] is not None
        gate.open.set()
        await asyncio.wait_for(manager.wait_started(started.json()["id"]), 30)
    finally:
        gate.open.set()
        await manager.registry.aclose()
        manager.registry = real
    done = (await committed_client.get(started.headers["location"], headers=admin)).json()
    assert done["status"] == "done" and done["results_stored"] == 4


async def test_runs_refused_before_they_start(
    committed_client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    town = auth(Role.town_officer, TOWN)
    outside = await committed_client.post(
        "/v1/runs", json={"year": 2019, "area_code": OTHER_TOWN}, headers=town
    )
    assert outside.status_code == 404
    no_line = await committed_client.post(
        "/v1/runs", json={"year": 2020, "area_code": TOWN}, headers=town
    )
    assert no_line.status_code == 409
    assert (no_line.json()["parameter"], no_line.json()["on"]) == (
        "poverty_line.provincial",
        "2020-12-31",
    )
    bad = await committed_client.post(
        "/v1/runs", json={"year": 2019, "area_code": "12"}, headers=town
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "area_code"]


@pytest.mark.parametrize(
    ("role", "area", "visible"),
    [
        (Role.district_admin, "370404", True),
        (Role.auditor, "370404", True),
        (Role.town_officer, TOWN, True),
        (Role.town_officer, OTHER_TOWN, False),
    ],
)
async def test_who_sees_a_run(
    committed_client: httpx.AsyncClient,
    eligibility_app: FastAPI,
    auth: TokenFactory,
    world: RegistryWorld,
    role: Role,
    area: str,
    visible: bool,
) -> None:
    run = await finished(committed_client, eligibility_app, auth(Role.town_officer, TOWN), VILLAGE)
    got = await committed_client.get(f"/v1/runs/{run['id']}", headers=auth(role, area))
    assert got.status_code == (200 if visible else 404)
    listed = await committed_client.get("/v1/runs", params={"limit": 500}, headers=auth(role, area))
    assert (run["id"] in {r["id"] for r in listed.json()["items"]}) is visible


async def test_a_registry_without_the_export_fails_the_run_naming_it(
    committed_client: httpx.AsyncClient,
    eligibility_app: FastAPI,
    registry_app: FastAPI,
    auth: TokenFactory,
    world: RegistryWorld,
) -> None:
    """The household list gives summaries, not facts: there is nothing to fall back to."""
    admin = auth(Role.district_admin)
    manager = eligibility_app.state.runs
    real = manager.registry
    manager.registry = RegistryClient(
        "http://registry.test",
        export_path="/v1/not-served",
        transport=httpx.ASGITransport(app=registry_app),
    )
    try:
        started = await committed_client.post(
            "/v1/runs", json={"year": 2019, "area_code": VILLAGE}, headers=admin
        )
        assert started.status_code == 202, started.text
        await asyncio.wait_for(manager.wait_started(started.json()["id"]), 30)
    finally:
        await manager.registry.aclose()
        manager.registry = real
    run = (await committed_client.get(started.headers["location"], headers=admin)).json()
    assert run["status"] == "failed"
    assert run["error"].startswith("the registry's household export /v1/not-served is unavailable")
    assert (run["households_loaded"], run["households_total"], run["source"]) == (0, None, None)
