"""Money parsing, the service's plumbing (health, readiness, code lists, OpenAPI examples)
and its command line: `python -m services.funds migrate`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from services.funds.clients import HouseholdFacts, RegistryClient
from services.funds.disbursements.reasons import check_subsidy
from services.funds.disbursements.schemas import SubsidyReason
from services.funds.main import MIGRATIONS
from services.funds.money import format_fen, parse_fen, ratio
from shared import migrations
from shared.errors import UpstreamUnavailable

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "fen"),
    [("8000.00", 800_000), ("8000", 800_000), ("0.01", 1), ("12.5", 1250), (" 3.10 ", 310),
     ("0.010", 1), ("+1.00", 100)],
)  # fmt: skip
def test_amounts_parse_to_exact_fen(text: str, fen: int) -> None:
    assert parse_fen(text) == fen


@pytest.mark.parametrize(
    ("value", "message"),
    [("-0.01", "negative"), ("0.001", "two decimals"), ("1e3", "not an amount"),
     ("", "not an amount"), ("1,000.00", "not an amount"), (1000, "not a number"),
     (10.5, "not a number"), (True, "not a number"), ("100000000001.00", "larger than")],
)  # fmt: skip
def test_bad_amounts_say_why(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fen(value)


def test_fen_format_back_to_yuan() -> None:
    assert [format_fen(f) for f in (0, 1, 99, 100, 800_000, -250)] == [
        "0.00", "0.01", "0.99", "1.00", "8000.00", "-2.50",
    ]  # fmt: skip
    assert (ratio(1, 3), ratio(2, 3), ratio(5, 0)) == ("0.3333", "0.6667", None)


async def test_ready_and_the_code_lists(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")
    assert ready.json() == {"status": "ready", "database": "ok", "migrations": "at head"}
    codes = (await client.get("/v1/disclosure/codes")).json()
    assert {"code": "wendeng", "zh": "文登区协作帮扶"} in codes["fund_level"]
    assert {"code": "accepted", "zh": "竣工验收"} in codes["stage"]


async def test_every_request_body_has_an_example(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    bodies = [name for name in schemas if name.endswith("Create")]
    assert {"SourceCreate", "ProjectCreate", "AllocationCreate", "DisbursementCreate"} <= set(
        bodies
    )
    missing = [name for name in bodies if not schemas[name].get("examples")]
    assert not missing


def test_the_command_line_migrates_a_fresh_database(make_database: Callable[[str], str]) -> None:
    url = make_database("funds_cli")
    env = {**os.environ, "FUNDS_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "services.funds", "migrate"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    engine = sa.create_engine(migrations.sync_url(url))
    with engine.connect() as conn:
        stamped = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert {stamped} == migrations.heads(MIGRATIONS)
        triggers = conn.execute(sa.text(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%append_only'")).scalar()  # fmt: skip
    engine.dispose()
    assert triggers == 11 + 2  # the funds tables, and the shared audit log and change feed


async def test_an_unreachable_registry_is_503_not_a_guess() -> None:
    registry = RegistryClient("http://127.0.0.1:9", attempts=1, timeout=1)
    try:
        with pytest.raises(UpstreamUnavailable, match="registry cannot be reached"):
            await registry.household(uuid.uuid4(), token="t")
    finally:
        await registry.aclose()


async def test_without_the_eligibility_service_no_subsidy_is_paid() -> None:
    reason = SubsidyReason(kind="subsidy", benefit_code="housing_renovation",
                           date=date(2018, 10, 20), facts={})  # fmt: skip
    with pytest.raises(UpstreamUnavailable, match="FUNDS_ELIGIBILITY_URL"):
        await check_subsidy(reason, 800_000, eligibility=None, token="t")


def test_labour_capacity_is_read_from_the_years_member_records() -> None:
    def household(*labours: str | None, recorded: bool = True) -> HouseholdFacts:
        members = [
            {"id": str(uuid.uuid4()), "year": {"labour": labour} if recorded else None}
            for labour in labours
        ]
        return HouseholdFacts.model_validate(
            {"id": str(uuid.uuid4()), "village_code": "370404104001", "town_code": "370404104",
             "status": "not_exited", "members": members}
        )  # fmt: skip

    assert household("incapacitated", "no_labour", None).without_labour
    assert not household("incapacitated", "skilled").without_labour
    assert not household("ordinary").without_labour
    assert not household(None, None, recorded=False).without_labour  # no data, no priority
