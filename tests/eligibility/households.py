"""Household records for tests: a plain builder, and a seeded generator that lands on the
band edges of every rule (ages, incomes, areas, costs, plots, tiers)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from services.eligibility.household import HouseholdFacts

VILLAGES = ("370404100001", "370404100002", "370404101003")


def member(member_id: str = "m1", **facts: Any) -> dict[str, Any]:
    """An insured healthy adult unless told otherwise."""
    return {
        "member_id": member_id,
        "birth_date": date(1970, 6, 15),
        "sex": "male",
        "basic_medical_insured": True,
        "critical_illness_insured": True,
        "pension_enrolled": False,
        **facts,
    }


def household(members: list[dict[str, Any]] | None = None, **facts: Any) -> HouseholdFacts:
    """A registered poor household meeting every exit condition except income."""
    return HouseholdFacts.model_validate(
        {
            "household_id": "h1",
            "village_code": VILLAGES[0],
            "status": "0",
            "members": members or [member()],
            "income": {},
            "housing_grade": "A",
            "water_safe": True,
            "water_difficult": False,
            "food_secure": True,
            "clothing_secure": True,
            **facts,
        }
    )


EDGE_AGES = (0, 5, 6, 15, 16, 59, 60, 61, 79, 80, 81, 89, 90, 94, 95, 99, 100, 101, 104)
EDGE_COSTS = (
    "2999.99",
    "3000",
    "3000.01",
    "6000",
    "6000.01",
    "99999.99",
    "100000",
    "200000",
    "200000.01",
    "695733.33",
    "695733.34",
    "2000000",
)
EDGE_PLOTS = ("0.99", "1", "1.01", "2.5", "0.5")
TIERS = (None, "100", "200", "299.99", "300", "400", "500", "1000")
# Floor area limits of 第五章第一节二 (RULES.md §6) and one fen either side.
AREAS = {
    1: ("19.99", "20", "60", "60.01"),
    2: ("29.99", "30", "60", "60.01"),
    3: ("39.99", "40", "60", "60.01"),
}


def _money(rng: random.Random, high: int) -> Decimal:
    return Decimal(rng.randrange(0, high * 100)) / 100


def _birth(rng: random.Random, year: int) -> date:
    if rng.random() < 0.5:
        # Around a birthday that falls on a month's first day, or on 29 February.
        age = rng.choice(EDGE_AGES)
        month, day = rng.choice([(1, 1), (6, 1), (6, 2), (12, 1), (12, 31), (2, 29), (9, 1)])
        born_year = year - age
        if (month, day) == (2, 29) and born_year % 4:
            born_year -= born_year % 4
        return date(born_year, month, day)
    return date(year, 12, 31) - timedelta(days=rng.randrange(0, 105 * 365))


def _member(rng: random.Random, year: int, n: int) -> dict[str, Any]:
    disabled = rng.random() < 0.15
    return member(
        f"m{n}",
        birth_date=_birth(rng, year),
        sex=rng.choice(["male", "female"]),
        health=(["04"] if disabled else []) + rng.choice([["01"], ["02"], ["03"], []]) or ["01"],
        disability_grade=rng.randint(1, 4) if disabled else None,
        care_level=rng.choice([None, None, "cannot_self_care", "semi_self_care", "self_care"]),
        school_status=rng.choice(["01"] * 4 + [f"{i:02d}" for i in range(2, 17)]),
        boarding=rng.random() < 0.4,
        dropout_for_poverty=rng.random() < 0.1,
        basic_medical_insured=rng.random() < 0.93,
        critical_illness_insured=rng.random() < 0.9,
        pension_enrolled=rng.random() < 0.6,
        pension_contribution_tier=rng.choice(TIERS),
        dibao=rng.random() < 0.3,
        tekun=rng.choice([None] * 6 + ["concentrated", "dispersed"]),
        child_support=rng.choice(
            [None] * 6 + ["orphan_dispersed", "orphan_institutional", "child_in_distress"]
        ),
        critical_illness_cost=(
            Decimal(rng.choice(EDGE_COSTS))
            if rng.random() < 0.3
            else _money(rng, 80000)
            if rng.random() < 0.3
            else Decimal(0)
        ),
    )


def _income(rng: random.Random, size: int, threshold: Decimal) -> dict[str, Any]:
    parts = {
        k: _money(rng, 6000 * size) if rng.random() < 0.6 else Decimal(0)
        for k in (
            "wage_income",
            "operating_income",
            "property_income",
            "dibao_payment",
            "tekun_payment",
            "pension_payment",
            "ecological",
            "other_transfer",
        )
    }
    parts["operating_expenses"] = _money(rng, 2000) if rng.random() < 0.5 else Decimal(0)
    if rng.random() < 0.3:
        # Fixed income exactly at the threshold × size (not above), or one fen above.
        parts = dict.fromkeys(parts, Decimal(0))
        parts["wage_income"] = threshold * size + rng.choice([Decimal(0), Decimal("0.01")])
    gross = sum((v for k, v in parts.items() if k != "operating_expenses"), Decimal(0))
    parts["one_off"] = min(gross, _money(rng, 3000)) if rng.random() < 0.3 else Decimal(0)
    return parts


def random_households(count: int, seed: int, year: int, threshold: Decimal) -> list[HouseholdFacts]:
    rng = random.Random(seed)
    result = []
    for h in range(count):
        size = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6])
        members = [_member(rng, year, n) for n in range(size)]
        status = rng.choice([None, "0", "0", "0", "1", "2", "3", "4"])
        grade = rng.choice(["A", "B", "C", "D"])
        renovation = None
        if rng.random() < 0.4:
            area = (
                rng.choice(AREAS[size])
                if size <= 3
                else str(rng.choice([13, 18]) * size + rng.choice([-0.01, 0, 0.01]))
            )
            renovation = {
                "method": rng.choice(["repair", "rebuild"]),
                "actual_investment": _money(rng, 30000),
                "planned_floor_area": area,
            }
        result.append(
            HouseholdFacts.model_validate(
                {
                    "household_id": f"h{h}",
                    "village_code": rng.choice(VILLAGES),
                    "status": status,
                    "exit_year": rng.randint(year - 5, year) if status in ("1", "4") else None,
                    "assistance": rng.choice(
                        ["general", "general", "dibao", "tekun", "dibao_tekun"]
                    ),
                    "members": members,
                    "income": _income(rng, size, threshold),
                    "housing_grade": grade,
                    "relocation_household": rng.random() < 0.1,
                    "relocation_moved_in": rng.random() < 0.5,
                    "water_safe": rng.random() < 0.9,
                    "water_difficult": rng.random() < 0.1,
                    "food_secure": rng.choice([True, True, True, False, None]),
                    "clothing_secure": rng.choice([True, True, True, False, None]),
                    "expenditure_poverty": rng.random() < 0.05,
                    "hold_reason": "区扶贫办暂缓" if rng.random() < 0.05 else None,
                    "in_provincial_key_village": rng.random() < 0.4,
                    "agri_own_premium": rng.choice(["0", "0.01", "0.05", "12.34", "100"]),
                    "afforested_plots_mu": rng.sample(EDGE_PLOTS, rng.randint(0, 2)),
                    "renovation": renovation,
                }
            )
        )
    return result
