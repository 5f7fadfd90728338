"""一户一策: everything a household is entitled to in a year, from its record.

Plain Python over the single-benefit rules — the oracle the batch engine must match. Monthly
benefits are evaluated on the first day of each month and summed into one yearly line per
label; yearly and one-off benefits are evaluated on 31 December. Claim-based benefits (a
treatment, a workshop, a loan, a training…) need facts a household record does not hold and
are evaluated one claim at a time through the catalogue instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from .benefits import education, elderly, housing, medical, rural, social
from .household import HouseholdFacts, MemberFacts
from .money import ZERO
from .parameters.store import ParameterSet
from .results import AmountUnit, BenefitResult
from .rules.targeting import READING as TARGETING_READING
from .rules.targeting import is_targeted, policy_years

ENTITLEMENT_CODES = (
    social.DIBAO,
    social.ELECTRICITY,
    housing.CODE,
    rural.AGRI,
    rural.AFFORESTATION,
    social.TEKUN,
    elderly.ELDERLY,
    elderly.CARE,
    social.DISABILITY,
    social.CHILD,
    elderly.PENSION,
    education.CODE,
    medical.CRITICAL,
    medical.ASSISTANCE,
)


class EntitlementLine(BaseModel):
    code: str
    member_id: str | None  # None: the household as a whole
    label: str
    amount: Decimal
    period: Literal["year", "once"]
    unit: AmountUnit = "yuan"
    months: int | None = None  # for a monthly benefit: months of the year it was due

    def key(self) -> tuple[str, str, str, str]:
        return (self.code, self.member_id or "", self.label, self.period)


class Entitlements(BaseModel):
    household_id: str
    year: int
    targeted: bool
    targeting_reading: str
    lines: list[EntitlementLine]
    results: list[BenefitResult]

    def total(self, period: Literal["year", "once"], unit: AmountUnit = "yuan") -> Decimal:
        return sum((x.amount for x in self.lines if x.period == period and x.unit == unit), ZERO)


class _Collector:
    def __init__(self, params: ParameterSet, year: int) -> None:
        self.params, self.year = params, year
        self.lines: list[EntitlementLine] = []
        self.results: list[BenefitResult] = []

    def yearly(self, result: BenefitResult, member: str | None) -> None:
        # A yearly refusal explains a missing line (e.g. floor area out of limits): keep it.
        self.results.append(result)
        for item in result.items:
            if item.amount > 0 and item.period != "month":
                self.lines.append(
                    EntitlementLine(
                        code=result.code,
                        member_id=member,
                        label=item.label,
                        amount=item.amount,
                        period=item.period,
                        unit=item.unit,
                    )
                )

    def monthly(
        self, rule: Callable[[date], BenefitResult], member: str | None, born: date | None = None
    ) -> None:
        sums: dict[str, tuple[Decimal, int, AmountUnit, str]] = {}
        for month in range(1, 13):
            first = date(self.year, month, 1)
            if born is not None and born > first:
                continue
            result = rule(first)
            if result.amount > 0:  # twelve "below 80" refusals a year would only be noise
                self.results.append(result)
            for item in result.items:
                if item.amount > 0 and item.period == "month":
                    amount, months, _, _ = sums.get(item.label, (ZERO, 0, item.unit, result.code))
                    sums[item.label] = (amount + item.amount, months + 1, item.unit, result.code)
        for label, (amount, months, unit, code) in sums.items():
            self.lines.append(
                EntitlementLine(
                    code=code,
                    member_id=member,
                    label=label,
                    amount=amount,
                    period="year",
                    unit=unit,
                    months=months,
                )
            )


ENTITLEMENT_PARAMETER_GROUPS = (
    "dibao.",
    "tekun.",
    "housing_renovation.",
    "elderly_allowance.",
    "disability.",
    "child_support.",
    "pension.",
    "education_aid.",
    "medical.critical_",
    "medical.assistance_",
    "rural.agri_",
    "rural.afforestation_",
    "rural.free_electricity_",
    "household_exit.policy_",
)


def require_in_force(params: ParameterSet, year: int) -> None:
    """Every rule an entitlement listing uses must be in force from 1 January of the year.

    Checked up front, for every household alike: a listing that silently left out a benefit
    whose rule is not in force would read as "not entitled", which is not the same thing.
    """
    start = date(year, 1, 1)
    for name in params.definitions:
        if name.startswith(ENTITLEMENT_PARAMETER_GROUPS):
            params.value(name, start)


def entitlements(household: HouseholdFacts, year: int, params: ParameterSet) -> Entitlements:
    require_in_force(params, year)
    end = date(year, 12, 31)
    targeted = is_targeted(
        household.status, household.exit_year, year, int(policy_years(params, year).number)
    )
    c = _Collector(params, year)
    size = len(household.members)
    if household.dibao_household:
        facts = social.DibaoFacts(
            dibao_household=True, members=size, net_income=household.income.net_without_assistance
        )
        c.yearly(social.dibao(facts, params, end), None)
    if household.dibao_household or household.tekun_household:
        power = social.FreeElectricityFacts(
            dibao_household=household.dibao_household, tekun_household=household.tekun_household
        )
        c.monthly(lambda on: social.free_electricity(power, params, on), None)
    if household.renovation is not None:
        plan = household.renovation
        c.yearly(
            housing.housing_renovation(
                housing.HousingRenovationFacts(
                    targeted=targeted,
                    housing_grade=household.housing_grade,
                    method=plan.method,
                    actual_investment=plan.actual_investment,
                    household_size=size,
                    planned_floor_area=plan.planned_floor_area,
                ),
                params,
                end,
            ),
            None,
        )
    if household.in_provincial_key_village and household.agri_own_premium > 0:
        c.yearly(
            rural.agri_insurance_premium(
                rural.AgriInsuranceFacts(
                    targeted=targeted,
                    in_provincial_key_village=True,
                    own_premium=household.agri_own_premium,
                ),
                params,
                end,
            ),
            None,
        )
    if household.afforested_plots_mu:
        plots = rural.AfforestationFacts(plots_mu=household.afforested_plots_mu)
        c.yearly(rural.afforestation_subsidy(plots, params, end), None)
    for member in household.members:
        if member.birth_date <= end:
            _member(c, household, member, targeted)
    return Entitlements(
        household_id=household.household_id,
        year=year,
        targeted=targeted,
        targeting_reading=TARGETING_READING,
        lines=c.lines,
        results=c.results,
    )


def _member(c: _Collector, household: HouseholdFacts, m: MemberFacts, targeted: bool) -> None:
    params, end, who, born = c.params, date(c.year, 12, 31), m.member_id, m.birth_date
    if m.tekun is not None:
        c.yearly(social.tekun_support(social.TekunFacts(arrangement=m.tekun), params, end), who)
    old = elderly.ElderlyAllowanceFacts(birth_date=born, dibao=m.dibao)
    c.monthly(lambda on: elderly.elderly_allowance(old, params, on), who, born)
    if m.care_level is not None:
        care = elderly.DisabilityCareFacts(birth_date=born, care_level=m.care_level)
        c.yearly(elderly.disability_care(care, params, end), who)
    if m.disability_grade is not None:
        grade = social.DisabilitySubsidyFacts(dibao=m.dibao, disability_grade=m.disability_grade)
        c.monthly(lambda on: social.disability_subsidy(grade, params, on), who, born)
    if m.child_support is not None:
        child = social.ChildSupportFacts(category=m.child_support)
        c.monthly(lambda on: social.child_support(child, params, on), who, born)
    if m.pension_enrolled:
        insured = elderly.PensionFacts(
            birth_date=born,
            enrolled=True,
            targeted=targeted,
            contribution_tier=m.pension_contribution_tier,
        )
        c.monthly(lambda on: elderly.pension(insured, params, on), who, born)
        c.yearly(elderly.pension(insured, params, end), who)
    stage = m.school_stage
    if stage is not None:
        others_disabled = any(o.disabled for o in household.members if o is not m)
        student = education.EducationAidFacts(
            targeted=targeted,
            stage=stage,
            boarding=m.boarding,
            disabled=m.disabled,
            disabled_family=others_disabled,
        )
        c.yearly(education.education_aid(student, params, end), who)
    if m.critical_illness_cost > 0:
        _medical(c, m, targeted)


def _medical(c: _Collector, m: MemberFacts, targeted: bool) -> None:
    params, end, cost = c.params, date(c.year, 12, 31), m.critical_illness_cost
    critical = medical.critical_illness_insurance(
        medical.CriticalIllnessFacts(
            targeted=targeted,
            insured=m.critical_illness_insured,
            remaining_cost=cost,
        ),
        params,
        end,
    )
    c.yearly(critical, m.member_id)
    if m.dibao or m.tekun is not None:
        assistance = medical.MedicalAssistanceFacts(
            dibao=m.dibao, tekun=m.tekun is not None, self_paid_cost=cost - critical.amount
        )
        c.yearly(medical.medical_assistance(assistance, params, end), m.member_id)
