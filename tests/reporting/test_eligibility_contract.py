"""Reporting against the real eligibility service: the stand-in's answers are valid answers
of the real schemas, and the real app's exit-case counts and batch-run summary reach the
reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.eligibility.main import create_app as create_eligibility_app
from services.eligibility.runs.schemas import RunRead
from services.eligibility.settings import EligibilitySettings
from services.eligibility.stats import ExitCaseStats
from shared.auth import TokenVerifier
from tests.reporting.conftest import ReportingFactory, TokenFactory, bearer, client_of
from tests.reporting.eligibility_contract import contract_app, run_body


async def test_the_stand_in_answers_what_the_real_service_answers(
    villages: dict[str, list[str]], token: TokenFactory
) -> None:
    stand_in = httpx.ASGITransport(app=contract_app(villages))
    async with httpx.AsyncClient(transport=stand_in, base_url="http://e") as client:
        cases = await client.get(
            "/v1/stats/exit-cases", params={"year": 2018}, headers=bearer(token())
        )
    ExitCaseStats.model_validate(cases.json())
    RunRead.model_validate(run_body())


@pytest.fixture(scope="module")
async def eligibility_app(
    make_database: Callable[[str], str],
    registry_app: FastAPI,
    verifier: TokenVerifier,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FastAPI]:
    settings = EligibilitySettings(
        database_url=make_database("reporting_eligibility"),
        data_dir=Path(tmp_path_factory.mktemp("reporting-eligibility-data")),
        log_level="WARNING",
        registry_url="http://registry.test",
    )
    app = create_eligibility_app(
        settings, token_verifier=verifier, registry_transport=httpx.ASGITransport(registry_app)
    )
    async with app.router.lifespan_context(app):
        yield app


async def test_reports_read_the_real_eligibility_service(
    eligibility_app: FastAPI,
    reporting_factory: ReportingFactory,
    token: TokenFactory,
    villages: dict[str, list[str]],
) -> None:
    admin = bearer(token())
    village = villages["370404104"][0]
    eligibility = httpx.ASGITransport(app=eligibility_app)
    async with httpx.AsyncClient(transport=eligibility, base_url="http://e") as client:
        # The plan gives no rural CPI for 2018; an illustrative one (as the eligibility
        # tests use) lets the 2018 line be derived from 2017's (专栏21).
        cpi = {"effective": "2018-01-01", "value": "101.5", "source": "test figure"}
        added = await client.post("/v1/parameters/cpi.rural/values", json=cpi, headers=admin)
        assert added.status_code in (201, 409), added.text
        started = await client.post(
            "/v1/runs", json={"year": 2018, "area_code": village}, headers=admin
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        for _ in range(300):
            run = (await client.get(f"/v1/runs/{run_id}", headers=admin)).json()
            if run["status"] not in ("queued", "loading", "evaluating", "storing"):
                break
            await asyncio.sleep(0.1)
    assert run["status"] == "done", run

    app = await reporting_factory(eligibility_transport=httpx.ASGITransport(app=eligibility_app))
    async with client_of(app) as client:
        progress = (
            await client.get("/v1/reports/exit-progress", params={"year": 2018}, headers=admin)
        ).json()
        assert progress["sources"]["eligibility"]["state"] == "fresh"
        assert progress["partial"] is False
        # No exit case was opened: zero, known, not null.
        assert {r["exit_cases_open"] for r in progress["rows"]} == {0}

        funds = (
            await client.get("/v1/reports/funds", params={"run_id": run_id}, headers=admin)
        ).json()
    assert funds["sources"]["eligibility"]["state"] == "fresh", funds["sources"]
    entitlements = funds["totals"]["entitlements"]
    assert entitlements["run_id"] == run_id and entitlements["area_code"] == village
    assert entitlements["households"] == run["summary"]["households"] > 0
