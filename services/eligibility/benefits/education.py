"""教育扶贫资助 education aid to students of poor households — 专栏11, 第六章第三节二."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from ..parameters.store import ParameterSet
from ..results import BenefitResult, Calculation
from .facts import Facts, SchoolStage, Targeted

CODE = "education_aid"
SECTION = "专栏11, 第六章第三节二"
READING = (
    "The Wendeng grant goes to every student of a targeted household, preschool included "
    "(RULES.md: every registered poor student). A disabled student who is also the child of a "
    "disabled family receives both one-off aids: the plan lists them as separate categories."
)
P = "education_aid."

PRESCHOOL = "学前教育政府助学金 preschool grant"
BOARDING = "寄宿生生活费补助 boarding living allowance"
STATE_GRANT = "国家助学金 state grant"
YULU = "雨露计划 Yulu plan grant"
WENDENG = "文登区资助金 Wendeng cooperation grant"
DISABLED_STUDENT = "贫困残疾学生一次性救助 disabled student aid"
DISABLED_FAMILY = "贫困残疾人家庭子女一次性救助 disabled family child aid"

VOCATIONAL = ("secondary_vocational", "higher_vocational")
VOCATIONAL_OR_HIGHER = ("secondary_vocational", "higher_vocational", "higher_education")


class EducationAidFacts(Facts):
    targeted: Targeted
    stage: SchoolStage = Field(description="School stage the student is enrolled in")
    boarding: bool = Field(default=False, description="Boarder (寄宿生) in compulsory education")
    disabled: bool = Field(default=False, description="The student is disabled (残疾)")
    disabled_family: bool = Field(
        default=False, description="Another member of the student's household is disabled"
    )


def education_aid(facts: EducationAidFacts, params: ParameterSet, on: date) -> BenefitResult:
    calc = Calculation(CODE, SECTION, params, on, facts, READING)
    if not facts.targeted:
        calc.refuse("not a student of a targeted household")
        return calc.result("year")
    stage = facts.stage
    calc.because(f"student of a targeted household, stage {stage}")
    if stage == "preschool":
        calc.item(PRESCHOOL, calc.param(P + "preschool"), "year")
    if facts.boarding and stage in ("primary", "junior_secondary"):
        key = "boarding_primary" if stage == "primary" else "boarding_junior_secondary"
        calc.item(BOARDING, calc.param(P + key), "year")
    if stage in ("senior_high", "secondary_vocational"):
        calc.item(STATE_GRANT, calc.param(P + "senior_state_grant"), "year")
    if stage in VOCATIONAL:
        calc.item(YULU, calc.param(P + "yulu_vocational"), "year")
    calc.item(WENDENG, calc.param(P + "wendeng_grant"), "year")
    if facts.disabled and stage == "senior_high":
        calc.item(DISABLED_STUDENT, calc.param(P + "disabled_senior_high_once"), "once")
    if facts.disabled and stage in VOCATIONAL_OR_HIGHER:
        calc.item(DISABLED_STUDENT, calc.param(P + "disabled_vocational_higher_once"), "once")
    if facts.disabled_family and stage in VOCATIONAL_OR_HIGHER:
        calc.item(DISABLED_FAMILY, calc.param(P + "disabled_family_child_once"), "once")
    return calc.result("year")
