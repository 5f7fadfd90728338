"""The benefit catalogue: every code of RULES.md §6 with its rule, facts and what it returns.

The service evaluates with `evaluate()`, which turns facts that fail their model into a 422
naming each bad fact; `describe.describe()` is what GET /v1/benefits serves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from ..errors import InvalidFacts, UnknownBenefit
from ..parameters.store import ParameterSet
from ..results import AmountUnit, BenefitResult, Period
from . import education, elderly, employment, housing, medical, rural, settlement, social
from .facts import Facts

F = TypeVar("F", bound=Facts)


@dataclass(frozen=True, slots=True)
class Benefit(Generic[F]):
    code: str
    name_zh: str
    name_en: str
    section: str
    period: Period
    returns: str
    facts: type[F]
    rule: Callable[[F, ParameterSet, date], BenefitResult]
    unit: AmountUnit = "yuan"
    reading: str | None = None


_LIST: tuple[Benefit[Any], ...] = (
    Benefit(
        housing.CODE,
        "危房改造补助",
        "Housing renovation subsidy",
        housing.SECTION,
        "once",
        "One-off subsidy: min(standard for grade and method, actual investment)",
        housing.HousingRenovationFacts,
        housing.housing_renovation,
        reading=housing.READING,
    ),
    Benefit(
        education.CODE,
        "教育扶贫资助",
        "Education aid",
        education.SECTION,
        "year",
        "Annual grants and one-off aids for one student; amount is the annual total",
        education.EducationAidFacts,
        education.education_aid,
        reading=education.READING,
    ),
    Benefit(
        medical.BASIC,
        "居民基本医疗保险报销",
        "Basic medical insurance",
        "专栏22-11",
        "once",
        "Reimbursement of one treatment, within the yearly cap",
        medical.BasicMedicalFacts,
        medical.basic_medical_insurance,
    ),
    Benefit(
        medical.CRITICAL,
        "居民大病保险",
        "Critical-illness insurance",
        "专栏22-12, 第七章第二节一",
        "year",
        "Yearly payout on the cost left after basic insurance",
        medical.CriticalIllnessFacts,
        medical.critical_illness_insurance,
        reading=medical.CRITICAL_READING,
    ),
    Benefit(
        medical.WAIVER,
        "两免两减半",
        "Medical fee waiver",
        "专栏15",
        "once",
        "Each fee's waived amount and the total",
        medical.FeeWaiverFacts,
        medical.medical_fee_waiver,
    ),
    Benefit(
        medical.ASSISTANCE,
        "医疗救助",
        "Medical assistance",
        "第九章第一节三",
        "year",
        "70 % of the self-paid in-policy cost of a 低保 or 特困 member",
        medical.MedicalAssistanceFacts,
        medical.medical_assistance,
    ),
    Benefit(
        settlement.CODE,
        "一站式结算",
        "One-stop settlement",
        settlement.SECTION,
        "once",
        "Each payer's amount; the patient's self-pay in figures.self_pay",
        settlement.SettlementFacts,
        settlement.one_stop_settlement,
        reading=settlement.READING,
    ),
    Benefit(
        elderly.ELDERLY,
        "高龄补贴、长寿津贴",
        "Elderly allowance",
        "专栏22-1,2,3",
        "month",
        "Monthly allowance by age on the first day of the month",
        elderly.ElderlyAllowanceFacts,
        elderly.elderly_allowance,
        reading=elderly.ELDERLY_READING,
    ),
    Benefit(
        elderly.CARE,
        "失能老年人护理补贴",
        "Disability care subsidy",
        "专栏22-4",
        "year",
        "Yearly care subsidy by care level",
        elderly.DisabilityCareFacts,
        elderly.disability_care,
        reading=elderly.CARE_READING,
    ),
    Benefit(
        social.DISABILITY,
        "残疾人两项补贴",
        "Disability subsidies",
        "专栏24",
        "month",
        "Monthly living subsidy (低保) and care subsidy (grade 1–2), both may apply",
        social.DisabilitySubsidyFacts,
        social.disability_subsidy,
    ),
    Benefit(
        social.DIBAO,
        "农村低保",
        "Minimum living guarantee top-up",
        "专栏21, 第九章第一节一",
        "year",
        "Yearly top-up of the household to the standard",
        social.DibaoFacts,
        social.dibao,
        reading=social.DIBAO_READING,
    ),
    Benefit(
        social.TEKUN,
        "特困人员供养",
        "Extreme-hardship support",
        "专栏22-6",
        "year",
        "Yearly support per person",
        social.TekunFacts,
        social.tekun_support,
    ),
    Benefit(
        social.CHILD,
        "孤儿、困境儿童基本生活保障",
        "Child support",
        "专栏22-7,8",
        "month",
        "Monthly living support",
        social.ChildSupportFacts,
        social.child_support,
    ),
    Benefit(
        elderly.PENSION,
        "城乡居民基本养老保险补助",
        "Resident pension",
        "专栏22-9, 第九章第二节一",
        "month",
        "Monthly basic pension; yearly contribution subsidy and paid contribution; funeral grant",
        elderly.PensionFacts,
        elderly.pension,
        reading=elderly.PENSION_READING,
    ),
    Benefit(
        social.TEMPORARY,
        "临时救助",
        "Temporary assistance",
        "专栏22-10",
        "once",
        "Monthly 低保 standard × members × months",
        social.TemporaryAssistanceFacts,
        social.temporary_assistance,
    ),
    Benefit(
        employment.WORKSHOP,
        "扶贫车间奖补",
        "Poverty workshop reward",
        "专栏7",
        "once",
        "One-off reward to the workshop by number of poor employees",
        employment.WorkshopFacts,
        employment.workshop_reward,
        reading=employment.WORKSHOP_READING,
    ),
    Benefit(
        employment.JOBS,
        "岗位开发补贴",
        "Job creation subsidy",
        "专栏7",
        "once",
        "Per job created",
        employment.JobCreationFacts,
        employment.job_creation_subsidy,
    ),
    Benefit(
        employment.TRAINING,
        "技能培训补贴",
        "Training subsidy",
        "专栏7",
        "once",
        "Per trainee by level; 80 % of the first skill appraisal fee",
        employment.TrainingFacts,
        employment.training_subsidy,
    ),
    Benefit(
        employment.STARTUP,
        "一次性创业补贴",
        "Start-up subsidy",
        "第四章第三节二",
        "once",
        "One-off subsidy to a poor worker's new individual business",
        employment.StartupFacts,
        employment.startup_subsidy,
    ),
    Benefit(
        rural.AFFORESTATION,
        "造林补贴",
        "Afforestation subsidy",
        "专栏20",
        "once",
        "Per mu of plots of at least 1 mu",
        rural.AfforestationFacts,
        rural.afforestation_subsidy,
    ),
    Benefit(
        rural.FILIAL,
        "孝善基金补助",
        "Filial fund match",
        "第九章第二节三",
        "month",
        "Town and village matches of the children's monthly payment",
        rural.FilialFundFacts,
        rural.filial_fund_match,
    ),
    Benefit(
        rural.AGRI,
        "农业保险保费补助",
        "Agricultural insurance premium",
        "第十二章第三节二",
        "year",
        "Province, city and district shares of the own premium",
        rural.AgriInsuranceFacts,
        rural.agri_insurance_premium,
        reading=rural.AGRI_READING,
    ),
    Benefit(
        rural.LOAN,
        "贷款贴息",
        "Loan interest subsidy",
        "专栏29",
        "year",
        "Yearly interest subsidy",
        rural.LoanFacts,
        rural.loan_interest_subsidy,
        reading=rural.LOAN_READING,
    ),
    Benefit(
        social.ELECTRICITY,
        "免费用电",
        "Free electricity",
        "专栏27",
        "month",
        "kWh free per month",
        social.FreeElectricityFacts,
        social.free_electricity,
        "kwh",
    ),
)

BENEFITS: Mapping[str, Benefit[Any]] = {b.code: b for b in _LIST}


def benefit(code: str) -> Benefit[Any]:
    try:
        return BENEFITS[code]
    except KeyError:
        raise UnknownBenefit(code) from None


def parse_facts(code: str, payload: Mapping[str, Any]) -> Facts:
    """Validates raw facts against the benefit's model; a failure names each bad fact (422)."""
    try:
        facts: Facts = benefit(code).facts.model_validate(payload)
    except ValidationError as exc:
        raise InvalidFacts.from_validation(exc, "facts") from exc
    return facts


def evaluate(
    code: str, payload: Mapping[str, Any], params: ParameterSet, on: date
) -> BenefitResult:
    return benefit(code).rule(parse_facts(code, payload), params, on)
