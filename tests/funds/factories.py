"""Areas, households and request bodies the funds tests use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.idcard import check_char

TOWN = "370404104"  # 峨山镇
VILLAGE = "370404104001"
VILLAGE_2 = "370404104002"
OTHER_TOWN = "370404100"  # 古邵镇
OTHER_VILLAGE = "370404100001"
RACE_TOWN = "370404001"  # 坛山街道: tests whose writes commit work here only
RACE_VILLAGE = "370404001001"

TOWNS = {TOWN: "峨山镇", OTHER_TOWN: "古邵镇", RACE_TOWN: "坛山街道"}
VILLAGES = {VILLAGE: "东于村", VILLAGE_2: "西于村", OTHER_VILLAGE: "朱园村", RACE_VILLAGE: "坛山村"}

TODAY = date.today()
LONG_AGO = date(2018, 3, 1)

TokenFactory = Callable[..., dict[str, str]]


@dataclass(frozen=True)
class Households:
    """Registry households created once per run (committed in the registry's database)."""

    worker: uuid.UUID  # VILLAGE, a working couple
    elderly: uuid.UUID  # VILLAGE, no labour capacity
    disabled: uuid.UUID  # VILLAGE, no labour capacity
    exited: uuid.UUID  # VILLAGE, exited with no policies left
    neighbour: uuid.UUID  # VILLAGE_2, same town
    far: uuid.UUID  # OTHER_VILLAGE, other town
    racer: uuid.UUID  # RACE_VILLAGE


_sequence = iter(range(100, 999))


def _id_number(birth: str, male: bool) -> str:
    seq = next(_sequence)
    seq = seq if (seq % 2 == 1) == male else seq + 1
    body = "370404" + birth + f"{seq % 1000:03d}"
    return body + check_char(body)


def _member(name: str, relation: str, birth: str, male: bool, **year: Any) -> dict[str, Any]:
    return {
        "name": name,
        "id_number": _id_number(birth, male),
        "relation": relation,
        "year": {"health": ["healthy"], "school_status": "not_in_school", **year},
    }


def household_body(
    village_code: str, *, working: bool, status: str = "not_exited"
) -> dict[str, Any]:
    """A two-person household of 2019: a working couple, or an elderly couple who cannot."""
    labour = "ordinary" if working else "incapacitated"
    birth = ("1972", "1974") if working else ("1944", "1946")
    return {
        "village_code": village_code,
        "identification_standard": "provincial",
        "identification_year": 2016,
        "assistance_type": "general",
        "status": status,
        "exit_year": 2018 if status.startswith("exited") else None,
        "main_cause": "lack_skills" if working else "lack_labour",
        "data_year": 2019,
        "year": {"wage_income": "3000.00" if working else "0.00", "pension_income": "1200.00"},
        "members": [
            _member("王建", "head", birth[0] + "0512", True, labour=labour),
            _member("刘芳", "spouse", birth[1] + "0803", False, labour=labour),
        ],
    }


def source_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "year": 2018,
        "level": "central",
        "kind": "special_poverty",
        "name": "2018年中央财政专项扶贫资金",
        "document_number": f"枣财农指〔2018〕{uuid.uuid4().hex[:6]}号",
        "amount": "100000.00",
        "received_on": LONG_AGO.isoformat(),
    }
    body.update(overrides)
    return body


def project_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "year": 2018,
        "kind": "housing_renovation",
        "name": "东于村2018年危房改造",
        "town_code": TOWN,
        "village_code": VILLAGE,
        "planned_households": 12,
        "budget": "100000.00",
        "applied_on": LONG_AGO.isoformat(),
    }
    body.update(overrides)
    return body


def notice(on: date, days: int = 7) -> dict[str, Any]:
    return {"published_on": on.isoformat(), "days": days, "place": "村务公开栏", "text": "公示"}


def stage_steps(start: date = LONG_AGO) -> list[tuple[str, dict[str, Any]]]:
    """Every stage after proposal with dates that respect each notice period, and the role
    that records it."""
    steps: list[tuple[str, dict[str, Any]]] = []
    day = start
    for stage, role, has_notice in (
        ("village_reviewed", "town_officer", True),
        ("town_reviewed", "town_officer", True),
        ("district_approved", "district_admin", True),
        ("agreement_signed", "town_officer", False),
        ("under_construction", "town_officer", False),
        ("accepted", "district_admin", False),
    ):
        day += timedelta(days=8)
        body: dict[str, Any] = {"stage": stage, "decided_on": day.isoformat()}
        if has_notice:
            body["notice"] = notice(day)
        steps.append((role, body))
    return steps


def contractor_payment(
    allocation_id: str, amount: str, invoice: str | None = None
) -> dict[str, Any]:
    return {
        "allocation_id": allocation_id,
        "amount": amount,
        "paid_on": TODAY.isoformat(),
        "payee": {
            "kind": "contractor",
            "name": "枣庄市峄城区宏达建筑有限公司",
            "credit_code": "91370404MA3C2B4K1P",
            "bank_account": "15245201040001234",
        },
        "reason": {
            "kind": "invoice",
            "invoice_number": invoice or uuid.uuid4().hex[:20],
            "invoice_date": LONG_AGO.isoformat(),
            "invoice_amount": amount,
        },
    }


def subsidy_payment(
    allocation_id: str, household_id: uuid.UUID, amount: str, **facts: Any
) -> dict[str, Any]:
    return {
        "allocation_id": allocation_id,
        "amount": amount,
        "paid_on": TODAY.isoformat(),
        "payee": {"kind": "household", "household_id": str(household_id)},
        "reason": {
            "kind": "subsidy",
            "benefit_code": "housing_renovation",
            "date": "2018-10-20",
            # The facts of services/eligibility/benefits/housing.py (HousingRenovationFacts).
            "facts": {
                "targeted": True,
                "housing_grade": "C",
                "method": "repair",
                "actual_investment": "9500.00",
                "household_size": 2,
                "planned_floor_area": "45.00",
                **facts,
            },
        },
    }
