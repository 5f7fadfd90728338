"""A valid household in exchange form, and helpers to turn it into file rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from services.registry.exchange.layouts import Layout, format_household
from services.registry.exchange.records import ExchangeHousehold, ExchangeMember
from services.registry.households.quality import IncomeComponents, per_capita_net_income
from shared.idcard import check_char

D = Decimal


def id_number(body17: str) -> str:
    return body17 + check_char(body17)


HEAD_ID = id_number("37040419620315003")  # a man, born 1962-03-15
WIFE_ID = id_number("37040219650720002")  # a woman from 市中区
SON_ID = id_number("37040420030901005")  # a boy, 15 at the end of 2018


def member(**changes: object) -> ExchangeMember:
    base = ExchangeMember(
        national_number="P370404104201000101",
        name="王建国",
        id_number=HEAD_ID,
        sex="male",
        birth_date=date(1962, 3, 15),
        relation="head",
        ethnicity="han",
        education="primary",
        school_status="not_in_school",
        health=("chronic", "disabled"),
        labour="ordinary",
        work_status="in_county",
        work_months=8,
        critical_illness_insured=True,
        disability_certificate=HEAD_ID + "43",
        disability_category="physical",
        disability_grade="grade3",
        basic_medical_insured=True,
        commercial_insured=False,
        pension_insured=True,
        dibao=True,
        tekun=False,
        active_soldier=False,
        dropped_out=False,
        dropout_for_poverty=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


INCOME = IncomeComponents(
    wage=D("9600.00"),
    operating=D("3000.00"),
    property=D("150.50"),
    operating_expenses=D("1200.00"),
    dibao=D("3600.00"),
    pension=D("0.00"),
    other_transfer=D("300.00"),
)


def household(**changes: object) -> ExchangeHousehold:
    """A three-person 低保 household that exited in 2017, valid in every column."""
    members = (
        member(),
        member(
            national_number="P370404104201000102",
            name="李秀英",
            id_number=WIFE_ID,
            sex="female",
            birth_date=date(1965, 7, 20),
            relation="spouse",
            health=("healthy",),
            work_status=None,
            work_months=None,
            disability_certificate=None,
            disability_category=None,
            disability_grade=None,
        ),
        member(
            national_number="P370404104201000103",
            name="王浩",
            id_number=SON_ID,
            birth_date=date(2003, 9, 1),
            relation="son",
            education="senior_high",
            school_status="senior1",
            health=("healthy",),
            labour="no_labour",
            work_status=None,
            work_months=None,
            disability_certificate=None,
            disability_category=None,
            disability_grade=None,
            pension_insured=False,
        ),
    )
    base = ExchangeHousehold(
        county="峄城区",
        town="峨山镇",
        village="后马寨村",
        national_number="H37040410420100001",
        status="exited_supported",
        exit_year=2017,
        assistance_type="dibao",
        main_cause="illness",
        dangerous_house=False,
        drinking_water_safe=True,
        drinking_water_difficult=False,
        per_capita_net_income=per_capita_net_income(INCOME, 3),
        phone="13805370000",
        members=members,
        village_code="370404104201",
        data_year=2018,
        identification_standard="provincial",
        identification_year=2015,
        other_causes=("disability", "lack_funds"),
        income=INCOME,
        one_off_income=D("300.00"),
        house_grade="B",
        relocation=False,
        relocated_moved_in=False,
        food_secure=True,
        clothing_secure=True,
        expenditure_poverty=False,
        arable_land_mu=D("1.50"),
        housing_area_m2=D("85.00"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rows(
    h: ExchangeHousehold, layout: Layout, first_row: int = 2
) -> list[tuple[int, dict[str, str]]]:
    """The household as a reader would yield it: (row number, header -> text)."""
    return [
        (first_row + i, dict(zip(layout.headers, cells, strict=True)))
        for i, cells in enumerate(format_household(h, layout))
    ]
