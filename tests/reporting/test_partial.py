"""An upstream that is down, slow, refusing or broken gives a report marked partial with its
figures null (never 0), served from a snapshot when there is one (marked cached, with its
age), and never a 500. CSV and XLSX show the gap as empty cells and a note row."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook

from shared.auth import Role
from tests.reporting.conftest import (
    Down,
    ReportingFactory,
    Switch,
    TokenFactory,
    bearer,
    client_of,
)


def actuals(figures: dict[str, Any]) -> list[int | None]:
    """Every `actual` of a rolling-plan row or totals."""
    out: list[int | None] = []
    for value in figures.values():
        if isinstance(value, dict) and "actual" in value:
            out.append(value["actual"])
        elif isinstance(value, dict):
            out += [v["actual"] for v in value.values()]
    return out


async def test_funds_down_gives_a_partial_report_with_null_figures(
    reporting_factory: ReportingFactory, token: TokenFactory, funds_data: Any
) -> None:
    down = Down()
    app = await reporting_factory(funds_transport=down)
    async with client_of(app) as client:
        response = await client.get(
            "/v1/reports/funds", params={"year": 2018}, headers=bearer(token(Role.finance_officer))
        )
        assert response.status_code == 200, response.text
        assert response.headers["x-report-partial"] == "true"
        report = response.json()
        assert report["partial"] is True
        funds = report["sources"]["funds"]
        assert funds["state"] == "missing" and funds["age_seconds"] is None
        assert "funds cannot be reached" in funds["error"]
        assert report["sources"]["registry"]["state"] == "fresh"
        assert report["rows"] == []
        totals = report["totals"]
        assert totals["allocated"] is None and totals["disbursed"] is None
        assert totals["execution_rate"] is None and totals["twenty_percent_rule"] is None
        assert totals["assets"] is None
        assert down.calls >= 1

        as_csv = await client.get(
            "/v1/reports/funds",
            params={"year": 2018, "format": "csv"},
            headers=bearer(token(Role.finance_officer)),
        )
        assert as_csv.status_code == 200
        lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        total = next(line for line in lines if line[:1] == ["合计"])
        assert total[5:8] == ["", "", ""]  # allocated, disbursed, rate: empty, not 0
        notes = [line[0] for line in lines if line and line[0].startswith("注：")]
        assert any("资金系统(funds)数据缺失" in n and "不是0" in n for n in notes)

        metrics = (await client.get("/metrics")).text
        assert 'report_parts_total{report="funds",state="missing",upstream="funds"} 2.0' in metrics
        assert 'report_parts_total{report="funds",state="fresh",upstream="registry"} 2.0' in metrics


async def test_registry_down_without_a_snapshot_keeps_the_plan_and_nulls_the_data(
    reporting_factory: ReportingFactory, token: TokenFactory
) -> None:
    app = await reporting_factory(registry_transport=Down())
    async with client_of(app) as client:
        response = await client.get("/v1/reports/rolling-plan", headers=bearer(token()))
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["partial"] is True
        assert report["sources"]["registry"]["state"] == "missing"
        assert len(report["rows"]) == 7  # the plan's towns, with their planned figures
        for row in [*report["rows"], report["totals"]]:
            assert set(actuals(row)) == {None}
        assert report["totals"]["poor_persons_2015"] == {"planned": 16661, "actual": None}

        as_xlsx = await client.get(
            "/v1/reports/rolling-plan", params={"format": "xlsx"}, headers=bearer(token())
        )
        assert as_xlsx.status_code == 200
        assert as_xlsx.headers["x-report-partial"] == "true"
        rows = [
            [c.value for c in r]
            for r in load_workbook(io.BytesIO(as_xlsx.content)).active.iter_rows()
        ]
        whole = next(r for r in rows if r[0] == "全区")
        assert whole[2:4] == [16661, None]  # planned, then an empty cell
        assert any(isinstance(r[0], str) and "数据缺失" in r[0] for r in rows)

        for path in ("causes", "indicators?year=2015", "exit-progress?year=2018"):
            other = await client.get(f"/v1/reports/{path}", headers=bearer(token()))
            assert other.status_code == 200, path
            assert other.json()["partial"] is True
        indicators = (
            await client.get("/v1/reports/indicators?year=2015", headers=bearer(token()))
        ).json()
        assert {r["value"] for r in indicators["rows"]} == {None}


async def test_a_snapshot_stands_in_marked_cached_but_never_for_another_role_or_area(
    reporting_factory: ReportingFactory, registry_app: FastAPI, token: TokenFactory
) -> None:
    registry = Switch(httpx.ASGITransport(app=registry_app))
    app = await reporting_factory(registry_transport=registry)
    async with client_of(app) as client:
        fresh = (await client.get("/v1/reports/rolling-plan", headers=bearer(token()))).json()
        assert fresh["sources"]["registry"]["state"] == "fresh"
        registry.mode = "down"
        cached = (await client.get("/v1/reports/rolling-plan", headers=bearer(token()))).json()
        source = cached["sources"]["registry"]
        assert source["state"] == "cached"
        assert (
            source["age_seconds"] >= 0
            and source["fetched_at"] == fresh["sources"]["registry"]["fetched_at"]
        )
        assert "cannot be reached" in source["error"]
        assert cached["partial"] is False  # every figure is there, if not the newest
        assert cached["rows"] == fresh["rows"] and cached["totals"] == fresh["totals"]
        as_csv = await client.get(
            "/v1/reports/rolling-plan", params={"format": "csv"}, headers=bearer(token())
        )
        assert "秒前的缓存" in as_csv.content.decode("utf-8-sig")
        # The district's snapshot is not a town officer's, nor an auditor's.
        for who in (token(Role.town_officer, "370404104"), token(Role.auditor)):
            other = (await client.get("/v1/reports/rolling-plan", headers=bearer(who))).json()
            assert other["sources"]["registry"]["state"] == "missing"


async def test_a_snapshot_outlives_a_restart_of_the_reporting_service(
    reporting_factory: ReportingFactory,
    registry_app: FastAPI,
    make_database: Any,
    token: TokenFactory,
) -> None:
    url = make_database("reporting_shared")
    first = await reporting_factory(database_url=url, snapshot_write_interval_seconds=0)
    async with client_of(first) as client:
        fresh = (
            await client.get("/v1/reports/causes", params={"year": 2015}, headers=bearer(token()))
        ).json()
    second = await reporting_factory(database_url=url, registry_transport=Down())
    async with client_of(second) as client:
        again = (
            await client.get("/v1/reports/causes", params={"year": 2015}, headers=bearer(token()))
        ).json()
    assert again["sources"]["registry"]["state"] == "cached"
    assert again["totals"] == fresh["totals"]


async def test_a_snapshot_too_old_is_not_served(
    reporting_factory: ReportingFactory, registry_app: FastAPI, token: TokenFactory
) -> None:
    registry = Switch(httpx.ASGITransport(app=registry_app))
    app = await reporting_factory(registry_transport=registry, snapshot_max_age_seconds=0)
    async with client_of(app) as client:
        await client.get("/v1/reports/causes", headers=bearer(token()))
        registry.mode = "down"
        report = (await client.get("/v1/reports/causes", headers=bearer(token()))).json()
    assert report["sources"]["registry"]["state"] == "missing"
    assert report["totals"]["households"] is None and report["totals"]["persons"] is None


async def test_a_slow_upstream_is_cut_off_at_the_deadline(
    reporting_factory: ReportingFactory, registry_app: FastAPI, token: TokenFactory
) -> None:
    registry = Switch(httpx.ASGITransport(app=registry_app))
    registry.mode = "slow"
    app = await reporting_factory(registry_transport=registry, upstream_deadline_seconds=0.5)
    async with client_of(app) as client:
        response = await client.get("/v1/reports/causes", headers=bearer(token()))
    assert response.status_code == 200
    source = response.json()["sources"]["registry"]
    assert source["state"] == "missing"
    assert "did not answer within 0.5 s" in source["error"]


async def test_refused_broken_and_garbled_answers_are_missing_never_zero(
    reporting_factory: ReportingFactory, registry_app: FastAPI, token: TokenFactory
) -> None:
    registry = Switch(httpx.ASGITransport(app=registry_app))
    app = await reporting_factory(registry_transport=registry)
    async with client_of(app) as client:
        await client.get("/v1/reports/causes", headers=bearer(token()))  # a snapshot exists
        expected = {"refuse": ("missing", "refused this caller (403)"),
                    "error": ("cached", "registry answered 500"),
                    "garbage": ("cached", "cannot read")}  # fmt: skip
        for mode, (state, error) in expected.items():
            registry.mode = mode
            response = await client.get("/v1/reports/causes", headers=bearer(token()))
            assert response.status_code == 200, (mode, response.text)
            source = response.json()["sources"]["registry"]
            # A refusal is never answered from a snapshot; a failure may be.
            assert (source["state"], error in source["error"]) == (state, True), mode


async def test_the_circuit_opens_after_repeated_failures(
    reporting_factory: ReportingFactory, token: TokenFactory
) -> None:
    down = Down()
    app = await reporting_factory(
        registry_transport=down, breaker_threshold=2, breaker_reset_seconds=60, upstream_attempts=1
    )
    async with client_of(app) as client:
        errors = []
        for _ in range(5):
            response = await client.get("/v1/reports/causes", headers=bearer(token()))
            assert response.status_code == 200
            errors.append(response.json()["sources"]["registry"]["error"])
    assert down.calls == 2  # then the breaker answers for the registry without asking it
    assert "circuit open" in errors[-1]
