"""Employment: 扶贫车间 rewards, job creation, training and start-up subsidies (专栏7, 第四章第三节)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ..money import Yuan
from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import Facts, Targeted

M = "employment."

WORKSHOP = "workshop_reward"
WORKSHOP_LABEL = "扶贫车间一次性奖补 poverty workshop reward"
WORKSHOP_READING = (
    "An employee counts when the contract paid more than the provincial line of the year within "
    "12 months (RULES.md: 'above'; the plan says 达到…以上)."
)


class WorkshopFacts(Facts):
    employee_pay: list[Yuan] = Field(
        max_length=100000,
        description="For each poor person under contract: pay received within 12 months, yuan",
    )


def workshop_reward(facts: WorkshopFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(WORKSHOP, "专栏7", params, on, facts, WORKSHOP_READING)
    line = calc.param("poverty_line.provincial")
    employees = sum(pay > line for pay in facts.employee_pay)
    calc.step("poor employees paid above the line", employees)
    middle_from, top_from = (
        calc.param(M + "workshop_middle_from"),
        calc.param(M + "workshop_top_from"),
    )
    if employees == 0:
        calc.refuse(f"no poor employee was paid above the provincial line {line}")
    elif employees >= top_from:
        calc.because(f"{employees} poor employees: {top_from} or more")
        calc.item(WORKSHOP_LABEL, calc.param(M + "workshop_top_amount"), "once")
    elif employees >= middle_from:
        calc.because(f"{employees} poor employees: {middle_from} to {top_from - 1}")
        calc.item(WORKSHOP_LABEL, calc.param(M + "workshop_middle_amount"), "once")
    else:
        calc.because(f"{employees} poor employees: fewer than {middle_from}, paid per person")
        calc.item(WORKSHOP_LABEL, employees * calc.param(M + "workshop_per_person"), "once")
    return calc.result("once")


JOBS = "job_creation_subsidy"
JOBS_LABEL = "岗位开发补贴 job creation subsidy"


class JobCreationFacts(Facts):
    jobs_created: int = Field(ge=0, le=100000, description="Jobs created (创造就业岗位数量)")


def job_creation_subsidy(facts: JobCreationFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(JOBS, "专栏7", params, on, facts)
    if facts.jobs_created == 0:
        calc.refuse("no job created")
        return calc.result("once")
    calc.item(JOBS_LABEL, facts.jobs_created * calc.param(M + "job_creation_per_job"), "once")
    return calc.result("once")


TRAINING = "training_subsidy"
TRAINING_LABEL = "职业培训补贴 training subsidy"
APPRAISAL_LABEL = "初次职业技能鉴定补贴 first skill appraisal subsidy"
TrainingLevel = Literal["junior", "intermediate", "senior", "entrepreneurship"]


class TrainingFacts(Facts):
    level: TrainingLevel | None = Field(
        default=None, description="Training completed: 初级工, 中级工, 高级工 or 创业培训"
    )
    first_appraisal_fee: Yuan | None = Field(
        default=None, description="Fee of the trainee's first skill appraisal, if taken"
    )


def training_subsidy(facts: TrainingFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(TRAINING, "专栏7", params, on, facts)
    if facts.level is None and facts.first_appraisal_fee is None:
        calc.refuse("neither a training nor a first skill appraisal")
        return calc.result("once")
    if facts.level is not None:
        calc.item(TRAINING_LABEL, calc.param(M + "training_" + facts.level), "once")
    if facts.first_appraisal_fee is not None:
        rate = calc.param(M + "appraisal_rate")
        calc.item(APPRAISAL_LABEL, facts.first_appraisal_fee * rate, "once")
    return calc.result("once")


STARTUP = "startup_subsidy"
STARTUP_LABEL = "一次性创业补贴 start-up subsidy"


class StartupFacts(Facts):
    targeted: Targeted
    new_individual_business: bool = Field(
        description="Newly registered individual business (新注册个体工商户)"
    )
    months_operating: int = Field(ge=0, le=1200, description="Months of normal operation")
    other_startup_subsidy: bool = Field(
        default=False, description="Already received another start-up subsidy (不得重复享受)"
    )


def startup_subsidy(facts: StartupFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(STARTUP, "第四章第三节二", params, on, facts)
    least = calc.param(M + "startup_min_months")
    if not facts.targeted:
        calc.refuse("not a registered poor worker")
    if not facts.new_individual_business:
        calc.refuse("not a newly registered individual business")
    if facts.months_operating < least:
        calc.refuse(f"operating {facts.months_operating} months: fewer than {least}")
    if facts.other_startup_subsidy:
        calc.refuse("already received another start-up subsidy")
    if not calc.refused:
        calc.item(STARTUP_LABEL, calc.param(M + "startup_amount"), "once")
    return calc.result("once")
