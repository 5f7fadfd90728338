"""Money for the funds report, created through the funds service's own API (committed once
per run): two sources of 2018, two projects in two towns taken through their procedure,
allocations, payments to contractors, and an asset with a year's income.

Expected figures (yuan): allocated 450 000, disbursed 270 000 (rate 0.6000); 峨山镇
300 000 / 120 000, 古邵镇 150 000 / 150 000; integrated funds 1 000 000 less 200 000
settled on actuals: base 800 000, 20 % = 160 000, allocated 100 000, short by 60 000.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from shared.auth import Role

DAY = date(2018, 3, 1)
ESHAN, GUSHAO = "370404104", "370404100"


@dataclass(frozen=True)
class FundsData:
    central: str  # source ids
    integrated: str
    eshan_village: str
    gushao_village: str


def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_funds_data(
    client: httpx.AsyncClient, token: Callable[..., str], villages: dict[str, list[str]]
) -> FundsData:
    def as_(role: Role, area: str = "370404") -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, area)}"}

    finance = as_(Role.finance_officer)

    async def source(**fields: Any) -> str:
        body = {"year": 2018, "received_on": DAY.isoformat(),
                "document_number": f"峄财〔2018〕{uuid.uuid4().hex[:6]}号", **fields}  # fmt: skip
        return str(_ok(await client.post("/v1/sources", json=body, headers=finance))["id"])

    async def project(town: str, village: str, kind: str, budget: str) -> str:
        body = {"year": 2018, "kind": kind, "name": f"{village}{kind}项目", "town_code": town,
                "village_code": village, "planned_households": 10, "budget": budget,
                "applied_on": DAY.isoformat()}  # fmt: skip
        made = _ok(
            await client.post("/v1/projects", json=body, headers=as_(Role.town_officer, town))
        )
        day = DAY
        for stage, role, notice in (
            ("village_reviewed", Role.town_officer, True),
            ("town_reviewed", Role.town_officer, True),
            ("district_approved", Role.district_admin, True),
            ("agreement_signed", Role.town_officer, False),
            ("under_construction", Role.town_officer, False),
            ("accepted", Role.district_admin, False),
        ):
            day += timedelta(days=8)
            step: dict[str, Any] = {"stage": stage, "decided_on": day.isoformat()}
            if notice:
                step["notice"] = {"published_on": day.isoformat(), "days": 7,
                                  "place": "村务公开栏", "text": "公示"}  # fmt: skip
            area = town if role is Role.town_officer else "370404"
            _ok(await client.post(f"/v1/projects/{made['id']}/stages", json=step,
                                  headers=as_(role, area)))  # fmt: skip
        return str(made["id"])

    async def allocate(source_id: str, project_id: str, amount: str) -> str:
        body = {"source_id": source_id, "project_id": project_id, "amount": amount,
                "allocated_on": (DAY + timedelta(days=60)).isoformat()}  # fmt: skip
        return str(_ok(await client.post("/v1/allocations", json=body, headers=finance))["id"])

    async def pay(allocation_id: str, amount: str) -> None:
        body = {
            "allocation_id": allocation_id, "amount": amount,
            "paid_on": date.today().isoformat(),
            "payee": {"kind": "contractor", "name": "枣庄市峄城区宏达建筑有限公司",
                      "credit_code": "91370404MA3C2B4K1P", "bank_account": "15245201040001234"},
            "reason": {"kind": "invoice", "invoice_number": uuid.uuid4().hex[:20],
                       "invoice_date": "2018-06-01", "invoice_amount": amount},
        }  # fmt: skip
        _ok(await client.post("/v1/disbursements", json=body, headers=finance))

    central = await source(level="central", kind="special_poverty",
                           name="2018年中央财政专项扶贫资金", amount="500000.00")  # fmt: skip
    integrated = await source(level="district", kind="integrated_agricultural",
                              name="2018年区级统筹整合涉农资金", amount="1000000.00",
                              exempt_amount="200000.00")  # fmt: skip
    eshan_village, gushao_village = villages[ESHAN][0], villages[GUSHAO][0]
    eshan = await project(ESHAN, eshan_village, "solar_pv", "300000.00")
    gushao = await project(GUSHAO, gushao_village, "infrastructure", "200000.00")
    first = await allocate(central, eshan, "200000.00")
    await allocate(integrated, eshan, "100000.00")
    road = await allocate(central, gushao, "150000.00")
    await pay(first, "120000.00")
    await pay(road, "150000.00")
    asset = {"name": "村级光伏电站", "kind": "solar_pv", "value": "250000.00",
             "formed_on": "2018-10-20"}  # fmt: skip
    made = _ok(await client.post(f"/v1/projects/{eshan}/assets", json=asset,
                                 headers=as_(Role.district_admin)))  # fmt: skip
    income = {"year": 2018, "amount": "30000.00", "received_on": "2018-12-20"}
    _ok(await client.post(f"/v1/assets/{made['id']}/incomes", json=income, headers=finance))
    return FundsData(central, integrated, eshan_village, gushao_village)
