"""The other reports on the demo district and the funds test data: exit progress and
incidence, the main indicators (专栏3), entitlements and funds."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
from openpyxl import load_workbook

from shared.auth import Role
from tests.reporting.conftest import TokenFactory, bearer
from tests.reporting.eligibility_contract import RUN_ID
from tests.reporting.funds_data import ESHAN, GUSHAO, FundsData
from tests.reporting.test_demo_figures import table

TOWNS = {t["code"]: t for t in table("towns.csv")}


async def get(client: httpx.AsyncClient, path: str, who: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/v1/reports/{path}", params=params, headers=bearer(who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_exit_progress_per_village_and_town(
    client: httpx.AsyncClient, token: TokenFactory, villages: dict[str, list[str]]
) -> None:
    report = await get(client, "exit-progress", token(), year=2018)
    assert report["partial"] is False
    assert {s["state"] for s in report["sources"].values()} == {"fresh"}
    assert len(report["rows"]) == 345
    towns = {t["code"]: t for t in report["totals"]["towns"]}
    for code, plan in TOWNS.items():
        planned = sum(int(plan[f"exits_{y}"]) for y in (2016, 2017, 2018))
        assert towns[code]["persons_exited"] == {"planned": planned, "actual": planned}
        village_exits = int(plan["village_exits_total"])
        assert towns[code]["key_villages_exited"] == {
            "planned": village_exits,
            "actual": village_exits,
        }
        # The backstop (兜底) households are what is left: the baseline minus the exits.
        base = int(plan["poor_population_provincial_2015"])
        assert towns[code]["not_exited_persons"] == max(0, base - planned)
    area = report["totals"]["area"]
    assert area["rural_population"] == sum(r["rural_population"] for r in report["rows"])
    assert Decimal(area["incidence"]) == (
        Decimal(area["not_exited_persons"]) / area["rural_population"]
    ).quantize(Decimal("0.0001"))
    first = next(r for r in report["rows"] if r["village_code"] == villages[ESHAN][0])
    assert (first["exit_cases_open"], first["exit_cases_deregistered"]) == (3, 5)
    assert towns[GUSHAO]["exit_cases_open"] == 3
    key = [r for r in report["rows"] if r["key_village"]]
    assert {r["key_village"] for r in key} >= {"省定", "市定"}
    assert all(
        r["registered_persons"] == r["exited_persons"] + r["not_exited_persons"]
        for r in report["rows"]
    )

    as_xlsx = await client.get(
        "/v1/reports/exit-progress", params={"year": 2018, "format": "xlsx"},
        headers=bearer(token()),
    )  # fmt: skip
    book = load_workbook(io.BytesIO(as_xlsx.content))
    assert book.sheetnames == ["分乡镇", "分村"]
    assert [c.value for c in book["分村"][2]][:3] == ["乡镇(街道)", "行政村", "村代码"]
    assert book["分村"].max_row >= 345 + 2


async def test_main_indicators_of_2015_from_the_data(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    report = await get(client, "indicators", token(), year=2015)
    rows = {r["indicator"]: r for r in report["rows"]}
    assert len(rows) == len(table("indicators.csv"))
    # Computed from the data, equal to 专栏3's 2015 column.
    for name in ("贫困人口（国家贫困标准）", "贫困人口（省定贫困标准）", "扶贫工作重点村"):
        assert Decimal(rows[name]["value"]) == Decimal(rows[name]["value_2015"]), name
    assert rows["建档立卡贫困户因病致贫返贫率"]["value"] == "74.21"
    for name in ("省定扶贫工作重点村通硬化路率", "省定扶贫工作重点村通客运班车率",
                 "省定扶贫工作重点村农村电网覆盖率", "省定扶贫工作重点村通水率",
                 "省定扶贫工作重点村通有线电视率"):  # fmt: skip
        value = Decimal(rows[name]["value"])
        assert value.quantize(Decimal(1)) == Decimal(rows[name]["value_2015"]), name
    # What the data cannot give is null, with the reason, never 0.
    unknown = [r for r in report["rows"] if r["value"] is None]
    assert {r["indicator"] for r in unknown} == {
        "转移就业贫困人口数量", "贫困人口人均可支配收入增速", "建档立卡贫困户危房改造率",
        "建档立卡贫困户参加居民基本养老保险比率", "建档立卡贫困户基本医保参保率",
    }  # fmt: skip
    assert all(r["detail"] for r in unknown)
    assert report["totals"] == {"computed": 9, "unknown": 5}
    later = await get(client, "indicators", token(), year=2018)
    national = next(r for r in later["rows"] if r["indicator"] == "贫困人口（国家贫困标准）")
    assert national["value"] == "0"  # every national-standard person exited in 2016


async def test_funds_report_execution_rule_assets_and_entitlements(
    client: httpx.AsyncClient, token: TokenFactory, funds_data: FundsData
) -> None:
    finance = token(Role.finance_officer)
    report = await get(client, "funds", finance, year=2018, run_id=RUN_ID)
    assert report["partial"] is False, report["sources"]
    assert set(report["sources"]) == {"funds", "registry", "eligibility"}
    totals = report["totals"]
    assert (totals["allocated"], totals["disbursed"], totals["execution_rate"]) == (
        "450000.00", "270000.00", "0.6000",
    )  # fmt: skip
    by = {(r["dimension"], r["key"]): r for r in report["rows"]}
    assert by[("town", ESHAN)]["label"] == "峨山镇"
    assert (by[("town", ESHAN)]["allocated"], by[("town", ESHAN)]["execution_rate"]) == (
        "300000.00", "0.4000",
    )  # fmt: skip
    assert by[("town", GUSHAO)]["execution_rate"] == "1.0000"
    assert by[("source", funds_data.central)]["label"] == "2018年中央财政专项扶贫资金"
    assert by[("fund_kind", "integrated_agricultural")]["label"] == "统筹整合涉农资金"
    assert by[("level", "central")]["appropriated"] == "500000.00"
    (rule,) = totals["twenty_percent_rule"]
    assert (rule["base"], rule["required"], rule["allocated"], rule["compliant"]) == (
        "800000.00", "160000.00", "100000.00", False,
    )  # fmt: skip
    assert rule["shortfall"] == "60000.00"
    (asset,) = totals["assets"]
    assert asset["village_code"] == funds_data.eshan_village and asset["village_name"]
    assert (asset["value"], asset["income"], asset["undistributed"]) == (
        "250000.00", "30000.00", "30000.00",
    )  # fmt: skip
    entitlements = totals["entitlements"]
    assert (entitlements["households"], entitlements["exit_passed"]) == (10178, 312)
    assert entitlements["by_benefit"][0] == {"code": "elderly_allowance", "period": "year",
                                             "unit": "yuan", "amount": "93240.00",
                                             "households": 251}  # fmt: skip

    as_csv = await client.get(
        "/v1/reports/funds", params={"year": 2018, "format": "csv", "run_id": RUN_ID},
        headers=bearer(finance),
    )  # fmt: skip
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["分组", "代码", "名称", "到位资金"]
    assert ["统筹整合涉农资金用于扶贫不低于20%"] in lines
    assert ["合计", "每年", "元", "4123456.00", ""] in lines
    assert ["达到退出标准户数", "312"] in lines

    narrowed = await get(client, "funds", finance, year=2018, town_code=GUSHAO)
    assert narrowed["totals"]["allocated"] == "150000.00"
    assert narrowed["totals"]["twenty_percent_rule"] is None  # the rule is the district's
    assert narrowed["totals"]["assets"] == []


async def test_openapi_documents_every_report_with_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for name in ("rolling-plan", "causes", "exit-progress", "indicators", "funds"):
        operation = paths[f"/v1/reports/{name}"]["get"]
        content = operation["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content), name
    schemas = spec["components"]["schemas"]
    assert schemas["RollingPlanReport"].get("examples")
