"""Afforestation (专栏20), filial fund (第九章第二节三), agricultural insurance (第十二章第三节二)
and loan interest subsidies (专栏29)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from ..money import ZERO, Yuan
from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import Facts, Rate, Targeted

R = "rural."

AFFORESTATION = "afforestation_subsidy"
AFFORESTATION_LABEL = "造林补贴 afforestation subsidy"
PlotArea = Annotated[Decimal, Field(gt=0, le=100000, decimal_places=2)]


class AfforestationFacts(Facts):
    plots_mu: list[PlotArea] = Field(
        max_length=1000, description="Area of each plot planted (人工造林), mu, two decimals"
    )


def afforestation_subsidy(
    facts: AfforestationFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(AFFORESTATION, "专栏20", params, on, facts)
    least = calc.param(R + "afforestation_min_plot_mu")
    counted = [plot for plot in facts.plots_mu if plot >= least]
    if not counted:
        calc.refuse(f"no plot of at least {least} mu")
        return calc.result("once")
    area = sum(counted, ZERO)
    calc.step(f"area of plots of at least {least} mu", area)
    calc.item(AFFORESTATION_LABEL, area * calc.param(R + "afforestation_per_mu"), "once")
    return calc.result("once")


FILIAL = "filial_fund_match"
TOWN_LABEL = "镇（街道）孝善基金补助 town filial fund match"
VILLAGE_LABEL = "村（居）孝心养老基金补助 village filial fund match"


class FilialFundFacts(Facts):
    monthly_tier: Yuan = Field(description="Children's monthly payment for one elderly parent")
    town_rate: Rate = Field(description="Rate the town fund adds (10–20 %)")
    village_rate: Rate = Field(default=ZERO, description="Rate the village fund adds (≤ 10 %)")


def filial_fund_match(facts: FilialFundFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(FILIAL, "第九章第二节三", params, on, facts)
    tiers = [calc.param(R + f"filial_tier_{n}") for n in (1, 2, 3)]
    low, high = calc.param(R + "filial_town_rate_min"), calc.param(R + "filial_town_rate_max")
    village_max = calc.param(R + "filial_village_rate_max")
    if facts.monthly_tier not in tiers:
        calc.refuse(f"monthly payment {facts.monthly_tier} is not one of the tiers {tiers}")
    if not low <= facts.town_rate <= high:
        calc.refuse(f"town rate {facts.town_rate} is outside {low}–{high}")
    if facts.village_rate > village_max:
        calc.refuse(f"village rate {facts.village_rate} is above {village_max}")
    if not calc.refused:
        calc.figure("children_payment", facts.monthly_tier)
        calc.item(TOWN_LABEL, facts.monthly_tier * facts.town_rate, "month")
        if facts.village_rate > 0:
            calc.item(VILLAGE_LABEL, facts.monthly_tier * facts.village_rate, "month")
    return calc.result("month")


AGRI = "agri_insurance_premium"
AGRI_READING = (
    "The district pays the remainder of the household's share (nominally 20 %), so that the "
    "three rounded shares add up to the premium exactly."
)
PROVINCE_LABEL = "省财政保费补助 provincial premium share"
CITY_LABEL = "市财政保费补助 city premium share"
DISTRICT_LABEL = "区财政保费补助 district premium share"


class AgriInsuranceFacts(Facts):
    targeted: Targeted
    in_provincial_key_village: bool = Field(description="The household lives in a 省定重点村")
    own_premium: Yuan = Field(description="The household's own share of the premium (自行承担部分)")


def agri_insurance_premium(
    facts: AgriInsuranceFacts, params: ParameterSet, on: date
) -> BenefitResult:
    calc = Calculation(AGRI, "第十二章第三节二", params, on, facts, AGRI_READING)
    if not facts.targeted:
        calc.refuse("not a targeted household")
    if not facts.in_provincial_key_village:
        calc.refuse("not in a provincial key village")
    if not calc.refused:
        premium = facts.own_premium
        province = calc.item(
            PROVINCE_LABEL, premium * calc.param(R + "agri_province_share"), "year"
        )
        city = calc.item(CITY_LABEL, premium * calc.param(R + "agri_city_share"), "year")
        calc.step("district nominal share", premium * calc.param(R + "agri_district_share"))
        calc.item(DISTRICT_LABEL, premium - province - city, "year")
    return calc.result("year")


LOAN = "loan_interest_subsidy"
LOAN_LABEL = "贷款贴息 loan interest subsidy"
LOAN_READING = "A subsidy never exceeds the interest the loan charges."
LoanKind = Literal[
    "enterprise_employing_poor", "self_employed_guarantee", "enterprise_guarantee", "student"
]


class LoanFacts(Facts):
    kind: LoanKind = Field(
        description=(
            "enterprise_employing_poor (主体带动贫困人口), self_employed_guarantee (自主创业担保贷款), "
            "enterprise_guarantee (吸纳就业主体担保贷款), student (助学贷款)"
        )
    )
    principal: Yuan = Field(description="Outstanding loan principal")
    annual_rate: Rate = Field(description="The loan's own yearly interest rate")
    benchmark_rate: Rate = Field(default=ZERO, description="同期同档次贷款基准利率")
    targeted: Targeted = False
    studying: bool = Field(default=False, description="Student loan: the student is studying")


def loan_interest_subsidy(facts: LoanFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(LOAN, "专栏29", params, on, facts, LOAN_READING)
    interest = facts.principal * facts.annual_rate
    calc.step("interest charged per year", interest)
    if facts.kind == "enterprise_employing_poor":
        subsidy = facts.principal * calc.param(R + "loan_enterprise_rate")
    elif facts.kind == "enterprise_guarantee":
        share = calc.param(R + "loan_enterprise_guarantee_share")
        subsidy = facts.principal * facts.benchmark_rate * share
    else:
        if not facts.targeted:
            calc.refuse("the borrower is not a registered poor person or family")
        if facts.kind == "student" and not facts.studying:
            calc.refuse("the student is no longer studying")
        name = "loan_student_share" if facts.kind == "student" else "loan_self_employed_share"
        subsidy = interest * calc.param(R + name)
    if not calc.refused:
        calc.item(LOAN_LABEL, min(subsidy, interest), "year")
    return calc.result("year")
