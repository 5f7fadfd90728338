"""One generated household, complete: members, assistance type, causes, income, housing.

Incomes are the data year's. An exited household's per-capita net income lies well above
any provincial line of the period (3 509 yuan in 2017, 专栏21), since the exit rule asks
for a margin; a household still under the backstop lies below it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from services.registry.codes.catalog import ILL, NO_LABOUR_ABILITY
from services.registry.demo.model import COUNTY_NAME, Village
from services.registry.demo.people import (
    ELDERLY_CAUSES,
    IdAllocator,
    Person,
    assign_health,
    assign_labour,
    birth_date,
    compose,
    person_name,
    place_in_school,
    to_members,
)
from services.registry.exchange.records import ExchangeHousehold
from services.registry.households.quality import (
    IncomeComponents,
    age_at,
    per_capita_net_income,
)

PENSION_PER_YEAR = 1200  # basic pension 100 a month from 60 (RULES.md §6 `pension`)
TEKUN_PER_YEAR = 5070  # 特困 support per person (专栏22-6)
FAMILY_PLANNING_AWARD = 960  # 80 a month to a rural family-planning household past 60


@dataclass(frozen=True, slots=True)
class HouseholdSpec:
    """Everything decided about a household before its members are drawn."""

    town: str
    village: Village
    main_cause: str
    size: int
    identification_standard: str
    identification_year: int
    exit_year: int | None  # None: not exited, kept under the 低保 backstop
    number: str  # 户编号


def build_household(
    rng: random.Random, ids: IdAllocator, spec: HouseholdSpec, data_year: int
) -> ExchangeHousehold:
    people = compose(rng, spec.size, spec.main_cause)
    for p in people:
        place_in_school(rng, p)
    assign_health(rng, people, spec.main_cause)
    assign_labour(rng, people, spec.main_cause)
    exited = spec.exit_year is not None
    assistance = _assistance(rng, people, spec)
    on = date(data_year, 12, 31)
    members = to_members(rng, people, ids, spec.number, on, assistance)
    income, one_off = _income(rng, people, assistance, exited)
    grade = rng.choices("AB", (60, 40))[0] if exited else rng.choices("BC", (80, 20))[0]
    relocated = exited and rng.random() < 0.003
    return ExchangeHousehold(
        county=COUNTY_NAME,
        town=spec.town,
        village=spec.village.name,
        national_number=spec.number,
        status="exited_supported" if exited else "not_exited",
        exit_year=spec.exit_year,
        assistance_type=assistance,
        main_cause=spec.main_cause,
        dangerous_house=grade in "CD",
        drinking_water_safe=exited or rng.random() < 0.95,
        drinking_water_difficult=not exited and rng.random() < 0.05,
        per_capita_net_income=per_capita_net_income(income, spec.size),
        phone=_phone(rng),
        members=members,
        village_code=spec.village.code,
        data_year=data_year,
        identification_standard=spec.identification_standard,
        identification_year=spec.identification_year,
        other_causes=_other_causes(rng, people, spec.main_cause),
        income=income,
        one_off_income=one_off,
        house_grade=grade,
        relocation=relocated,
        relocated_moved_in=relocated,
        food_secure=True,
        clothing_secure=True,
        expenditure_poverty=not exited and spec.main_cause == "illness" and rng.random() < 0.2,
        arable_land_mu=Decimal(rng.randint(5, 40)) / 10,
        housing_area_m2=Decimal(20 + spec.size * rng.randint(15, 30)),
    )


def clone_household(
    rng: random.Random,
    ids: IdAllocator,
    template: ExchangeHousehold,
    village: Village,
    town: str,
    number: str,
    data_year: int,
) -> ExchangeHousehold:
    """Another household like `template`: same make-up, its own place and identities.

    Names (the family keeps its surnames), birth days within the same year of birth, ID
    and certificate numbers, national numbers and telephone are new; ages, and so every
    rule of construction, are unchanged. A fraction of the cost of `build_household`.
    """
    on = date(data_year, 12, 31)
    members = []
    for i, m in enumerate(template.members):
        assert m.birth_date is not None and m.id_number is not None, "built with both"
        male = m.sex == "male"
        born = birth_date(rng, age_at(m.birth_date, on), on)
        id_number = ids.allocate(born, male, m.id_number[:6])
        certificate = m.disability_certificate
        members.append(
            replace(
                m,
                national_number=f"P{number[1:]}{i + 1:02d}",
                name=person_name(rng, m.name[0], male),
                id_number=id_number,
                birth_date=born,
                disability_certificate=certificate and id_number + certificate[18:],
            )
        )
    return replace(
        template,
        town=town,
        village=village.name,
        village_code=village.code,
        national_number=number,
        phone=_phone(rng),
        members=tuple(members),
    )


def _assistance(rng: random.Random, people: list[Person], spec: HouseholdSpec) -> str:
    if spec.exit_year is None:
        return "dibao"  # the backstop (兜底保障) is 低保
    head = people[0]
    # 特困: no labour, no income, no one to support them (专栏22-6).
    alone = len(people) == 1 and head.age >= 60 and head.labour in NO_LABOUR_ABILITY
    if alone and rng.random() < 0.35:
        return "tekun" if rng.random() < 0.85 else "dibao_tekun"
    if spec.main_cause in ELDERLY_CAUSES and rng.random() < 0.35:
        return "dibao"
    return "dibao" if rng.random() < 0.05 else "general"


def _other_causes(rng: random.Random, people: list[Person], main: str) -> tuple[str, ...]:
    """Up to two secondary causes, each borne out by the members where it can be."""
    able = any(p.labour not in NO_LABOUR_ABILITY and 16 <= p.age <= 65 for p in people)
    candidates = [
        ("illness", any(set(p.conditions) & ILL for p in people)),
        ("disability", any(p.disability for p in people)),
        ("lack_labour", not able),
        ("lack_skills", able and main == "lack_funds"),
        ("lack_funds", main != "lack_funds"),
    ]
    chosen = [c for c, fits in candidates if fits and c != main and rng.random() < 0.4]
    return tuple(chosen[:2])


def _income(
    rng: random.Random, people: list[Person], assistance: str, exited: bool
) -> tuple[IncomeComponents, Decimal]:
    """Components reaching a drawn per-capita target: transfers first, then earnings."""
    size = len(people)
    target = size * (rng.randint(4200, 9000) if exited else rng.randint(2300, 3300))
    dibao = size * rng.randint(1000, 1800) if assistance in ("dibao", "dibao_tekun") else 0
    tekun = size * TEKUN_PER_YEAR if assistance in ("tekun", "dibao_tekun") else 0
    pension = PENSION_PER_YEAR * sum(1 for p in people if p.age >= 60)
    award = FAMILY_PLANNING_AWARD if people[0].age >= 60 and rng.random() < 0.15 else 0
    ecological = rng.randint(50, 400) if rng.random() < 0.2 else 0
    other = rng.randint(0, 500)
    # A temporary-assistance payment is the usual one-off income (RULES.md §3).
    one_off = other if rng.random() < 0.15 else 0
    rest = max(0, target - dibao - tekun - pension - award - ecological - other)
    workers = sum(1 for p in people if p.work_status is not None)
    wage = max(round(rest * rng.uniform(0.55, 0.85)), 600 * workers) if workers else 0
    rest = max(0, rest - wage)
    farming = round(rest * rng.uniform(0.5, 1.0)) if any(p.age >= 16 for p in people) else 0
    # Farming always has costs; operating income without expenses is a quality warning.
    expenses = max(1, round(farming * rng.uniform(0.25, 0.6))) if farming else 0
    income = IncomeComponents(
        wage=Decimal(wage),
        operating=Decimal(farming + expenses),
        property=Decimal(rest - farming),
        operating_expenses=Decimal(expenses),
        family_planning=Decimal(award),
        dibao=Decimal(dibao),
        tekun=Decimal(tekun),
        pension=Decimal(pension),
        ecological=Decimal(ecological),
        other_transfer=Decimal(other),
    )
    return income, Decimal(one_off)


def _phone(rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return None
    return f"1{rng.choice('358')}{rng.randrange(10**9):09d}"
