"""One year of the district's work across the four services, as separate processes over
real HTTP: import → assess → exit case through its notices → subsidy calculated → paid →
reported.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.registry.demo.district import write_households
from services.registry.exchange.records import ExchangeHousehold, ExchangeMember
from services.registry.households.quality import IncomeComponents
from shared.idcard import check_char
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

YEAR = 2018
TOWN = "370404104"  # 峨山镇
PASSWORD = "a-long-passphrase-2018"


def _id(birth: str, sequence: str) -> str:
    body = "370404" + birth + sequence
    return body + check_char(body)


def _household(village: dict[str, Any], town_name: str) -> ExchangeHousehold:
    """A family that has worked its way above the line: three people, son in senior high."""
    member = dict(critical_illness_insured=True, basic_medical_insured=True, ethnicity="han")
    return ExchangeHousehold(
        county="峄城区", town=town_name, village=village["name"], village_code=village["code"],
        national_number="E2E3704041040001", status="not_exited", assistance_type="general",
        main_cause="lack_funds", dangerous_house=False, drinking_water_safe=True,
        drinking_water_difficult=False, per_capita_net_income=Decimal("12000.00"),
        data_year=YEAR, identification_standard="provincial", identification_year=2016,
        income=IncomeComponents(wage=Decimal("36000.00")), house_grade="A",
        food_secure=True, clothing_secure=True, expenditure_poverty=False,
        members=(
            ExchangeMember(national_number="E2EP01", name="孙立强", id_number=_id("19740318", "451"),
                           relation="head", education="junior_high", school_status="not_in_school",
                           labour="ordinary", work_status="in_province", work_months=10, **member),
            ExchangeMember(national_number="E2EP02", name="韩玉梅", id_number=_id("19760921", "262"),
                           relation="spouse", education="primary", school_status="not_in_school",
                           labour="ordinary", work_status="in_county", work_months=8, **member),
            ExchangeMember(national_number="E2EP03", name="孙浩然", id_number=_id("20010607", "131"),
                           relation="son", education="junior_high", school_status="senior2", labour="no_labour", **member),
        ),
    )  # fmt: skip


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


async def _login(
    client: httpx.AsyncClient, registry: str, username: str, password: str
) -> dict[str, str]:
    token = _ok(await client.post(f"{registry}/v1/auth/token",
                                  data={"username": username, "password": password}))  # fmt: skip
    return {"Authorization": f"Bearer {token['access_token']}"}


async def test_a_year_of_work_across_the_four_services(running: RunningStack) -> None:
    registry, eligibility = running.url("registry"), running.url("eligibility")
    funds, reporting = running.url("funds"), running.url("reporting")
    running.stack.load_demo()
    async with httpx.AsyncClient(timeout=60) as client:
        admin = await _login(client, registry, "admin", running.stack.secrets["admin"])
        villages = _ok(await client.get(f"{registry}/v1/villages", params={"town_code": TOWN, "limit": 1}, headers=admin))  # fmt: skip
        village = villages["items"][0]
        towns = _ok(await client.get(f"{registry}/v1/towns", headers=admin))
        town_name = next(t["name"] for t in towns if t["code"] == TOWN)
        people = {}
        for username, role, area in (("cadre.e2e", "village_cadre", village["code"]),
                                     ("town.e2e", "town_officer", TOWN),
                                     ("finance.e2e", "finance_officer", "370404")):  # fmt: skip
            _ok(await client.post(f"{registry}/v1/accounts", headers=admin, json={
                "username": username, "display_name": username, "password": PASSWORD,
                "role": role, "area_code": area}), 201)  # fmt: skip
            people[role] = await _login(client, registry, username, PASSWORD)
        cadre, town, finance = (
            people["village_cadre"],
            people["town_officer"],
            people["finance_officer"],
        )

        # Import: the provincial exchange file, in our full layout, committed.
        household = _household(village, town_name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "household.csv"
            write_households([household], path, layout="full")
            report = _ok(await client.post(
                f"{registry}/v1/imports", params={"dry_run": "false", "year": YEAR},
                files={"file": ("household.csv", path.read_bytes(), "text/csv")}, headers=admin))  # fmt: skip
        assert report["committed"] is True
        assert report["households"]["created"] == 1
        found = _ok(await client.post(f"{registry}/v1/persons/search",
                                      json={"id_number": household.members[0].id_number}, headers=admin))  # fmt: skip
        household_id = found["items"][0]["household_id"]

        # Assess: 2018's provincial line is not in the plan; the district office derives it
        # from the year's rural CPI, then the household passes every condition.
        _ok(await client.post(f"{eligibility}/v1/parameters/cpi.rural/values", headers=admin,
                              json={"effective": f"{YEAR}-01-01", "value": "102.1",
                                    "source": "山东省统计局 2018年农村居民消费价格指数"}), 201)  # fmt: skip
        assessment = _ok(await client.post(
            f"{eligibility}/v1/households/{household_id}/exit-assessment", params={"year": YEAR}, headers=cadre))  # fmt: skip
        assert assessment["eligible"] is True, assessment

        # Exit case: review → 7-day notice → town review → 5-day announcement → 销号.
        case = _ok(await client.post(f"{eligibility}/v1/exit-cases", headers=cadre,
                                     json={"household_id": household_id, "year": YEAR}), 201)  # fmt: skip
        case_url = f"{eligibility}/v1/exit-cases/{case['id']}"
        _ok(
            await client.post(
                f"{case_url}/notice", json={"note": "公示于村务公开栏"}, headers=cadre
            )
        )
        early = await client.post(
            f"{case_url}/town-review", json={"decision": "approved"}, headers=town
        )
        assert early.status_code == 409, "the town may not review before the notice has run"
        running.advance_clock(timedelta(days=7, hours=1))
        _ok(
            await client.post(
                f"{case_url}/town-review", json={"decision": "approved"}, headers=town
            )
        )
        _ok(await client.post(f"{case_url}/announcement", json={"note": "村内公告"}, headers=town))
        running.advance_clock(timedelta(days=5, hours=1))
        closed = _ok(await client.post(f"{case_url}/deregistration", json={}, headers=admin))
        assert closed["state"] == "deregistered"
        record = _ok(await client.get(f"{registry}/v1/households/{household_id}", headers=admin))
        assert (record["status"], record["exit_year"]) == ("exited_supported", YEAR)

        # Subsidy calculated: the son's education aid, still due (policies stay three years).
        facts = {"targeted": True, "stage": "senior_high"}
        aid = _ok(await client.post(f"{eligibility}/v1/benefits/education_aid/calculate",
                                    json={"date": f"{YEAR}-09-01", "facts": facts}, headers=finance))  # fmt: skip
        assert aid["eligible"] is True
        amount = aid["amount"]
        assert Decimal(amount) > 0

        # Paid: a source, an accepted education project, an allocation, the 一卡通 payment.
        source = _ok(await client.post(f"{funds}/v1/sources", headers=finance, json={
            "year": YEAR, "level": "central", "kind": "special_poverty", "name": "2018年中央财政专项扶贫资金",
            "document_number": "枣财农指〔2018〕12号", "amount": "200000.00", "received_on": f"{YEAR}-03-15"}), 201)  # fmt: skip
        project = _ok(await client.post(f"{funds}/v1/projects", headers=town, json={
            "year": YEAR, "kind": "education", "name": f"{village['name']}2018年教育资助",
            "town_code": TOWN, "village_code": village["code"], "planned_households": 5,
            "budget": "20000.00", "applied_on": f"{YEAR}-03-01"}), 201)  # fmt: skip
        day = date(YEAR, 3, 1)
        for stage, who, noticed in (("village_reviewed", town, True), ("town_reviewed", town, True),
                                    ("district_approved", admin, True), ("agreement_signed", town, False),
                                    ("under_construction", town, False), ("accepted", admin, False)):  # fmt: skip
            day += timedelta(days=8)
            body: dict[str, Any] = {"stage": stage, "decided_on": day.isoformat()}
            if noticed:
                body["notice"] = {
                    "published_on": day.isoformat(),
                    "days": 7,
                    "place": "村务公开栏",
                    "text": "公示",
                }
            _ok(
                await client.post(
                    f"{funds}/v1/projects/{project['id']}/stages", json=body, headers=who
                ),
                201,
            )
        allocation = _ok(await client.post(f"{funds}/v1/allocations", headers=finance, json={
            "source_id": source["id"], "project_id": project["id"], "amount": "20000.00",
            "allocated_on": day.isoformat()}), 201)  # fmt: skip
        _ok(await client.post(f"{funds}/v1/households/{household_id}/card", headers=finance, json={
            "bank": "峄城区农村商业银行", "card_number": "6228480402564890018",
            "registered_on": f"{YEAR}-01-10"}), 201)  # fmt: skip
        payment = {
            "allocation_id": allocation["id"], "amount": amount, "paid_on": f"{YEAR}-09-10",
            "payee": {"kind": "household", "household_id": household_id},
            "reason": {"kind": "subsidy", "benefit_code": "education_aid", "date": f"{YEAR}-09-01", "facts": facts},
        }  # fmt: skip
        headers = {**finance, "Idempotency-Key": "e2e-education-aid-2018"}
        paid = _ok(
            await client.post(f"{funds}/v1/disbursements", json=payment, headers=headers), 201
        )
        again = _ok(
            await client.post(f"{funds}/v1/disbursements", json=payment, headers=headers), 201
        )
        assert again["id"] == paid["id"], "a retried payment pays once"
        assert paid["reason"]["calculation"]["amount"] == amount

        await _reported(client, reporting, admin, town, household, amount)


async def _reported(
    client: httpx.AsyncClient,
    reporting: str,
    admin: dict[str, str],
    town: dict[str, str],
    household: ExchangeHousehold,
    amount: str,
) -> None:
    """The rolling plan counts the new exit beside the plan; the funds report the payment."""
    plan = _ok(await client.get(f"{reporting}/v1/reports/rolling-plan", headers=admin))
    assert plan["partial"] is False
    assert plan["sources"]["registry"]["state"] == "fresh"
    row = next(r for r in plan["rows"] if r["town_code"] == TOWN)
    exits = row["persons_exited"][str(YEAR)]
    # The demo district reproduces the plan exactly; this household's exit comes on top.
    assert exits["actual"] == exits["planned"] + len(household.members)

    # A town officer's own token: their town's rolling plan, nobody else's.
    mine = _ok(await client.get(f"{reporting}/v1/reports/rolling-plan", headers=town))
    assert [r["town_code"] for r in mine["rows"]] == [TOWN]

    report = _ok(
        await client.get(f"{reporting}/v1/reports/funds", params={"year": YEAR}, headers=admin)
    )
    assert report["partial"] is False
    by_town = next(r for r in report["rows"] if r["dimension"] == "town" and r["key"] == TOWN)
    assert Decimal(by_town["disbursed"]) == Decimal(amount)
