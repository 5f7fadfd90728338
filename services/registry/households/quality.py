"""The national data-quality rules (数据质量校验) over one household's yearly facts.

Pure functions over plain dataclasses, so the same rules run on an interactive edit, a
bulk import row group and a nightly sweep, and can be tested without a database. Each
finding names a stable rule id, so clients and reports can count and filter them.

Severities: "error" is data the national system rejects; "warning" is data it accepts but
queries; "flag" marks an exited household that fails an exit condition (it is not wrong
data, it is a household to look at again).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from services.registry.codes.catalog import (
    DANGEROUS_HOUSE,
    EXITED,
    FEMALE_RELATIONS,
    ILL,
    IN_SCHOOL,
    MALE_RELATIONS,
    MIGRANT_WORK,
    NO_LABOUR_ABILITY,
    PRIMARY_OR_BELOW,
    SENIOR_HIGH_OR_ABOVE,
)
from shared.errors import FieldError, InvalidInput

Severity = Literal["error", "warning", "flag"]
FieldPath = tuple[str | int, ...]

# Needs every household of the district, so the service checks it against the database;
# the id lives here so all findings share one catalogue.
RULE_PERSON_ONE_HOUSEHOLD = "person.one_household"

# rule id -> (severity, what it checks). The service and tests enumerate rules from here.
RULES: dict[str, tuple[Severity, str]] = {
    "household.one_head": ("error", "exactly one head of household"),
    "household.size_matches_members": ("error", "household size equals the member count"),
    "household.head_spouse_sex": ("error", "head and spouse are of different sex"),
    "member.relation_sex": ("error", "relation to the head is consistent with sex"),
    RULE_PERSON_ONE_HOUSEHOLD: ("error", "a person is in only one household"),
    "household.cause_illness": ("error", "因病 needs a chronically or seriously ill member"),
    "household.cause_disability": ("error", "因残 needs a disabled member"),
    "household.cause_education": ("error", "因学 needs a member in school"),
    "household.other_causes_differ": ("error", "other causes differ from the main cause"),
    "household.other_causes_max_two": ("error", "at most two other causes"),
    "member.age_school_senior": ("error", "aged 14 or under not in senior high or above"),
    "member.age_school_primary": ("error", "aged 20 or over not in primary or below"),
    "member.school_status_required": ("error", "school status present for ages 6-23"),
    "member.labour_required": ("error", "labour ability present for ages 16-65"),
    "member.work_without_labour": ("error", "no migrant work with no labour ability"),
    "income.operating_without_expenses": ("warning", "operating income without expenses"),
    "income.per_capita_out_of_range": ("error", "per-capita net income in (0, 100000]"),
    "income.wage_without_worker": ("warning", "wage income needs a working member"),
    "income.worker_without_wage": ("warning", "a working member needs wage income"),
    "exited.below_line": ("flag", "exited household below the poverty line"),
    "exited.dropout": ("flag", "exited household with a school dropout"),
    "exited.dangerous_house": ("flag", "exited household in a C or D grade house"),
    "exited.unsafe_water": ("flag", "exited household without safe drinking water"),
    "exited.ill_uninsured": ("flag", "exited household with an ill member not in 大病保险"),
}

PER_CAPITA_MAX = Decimal(100000)
_CENT = Decimal("0.01")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    field: FieldPath

    def to_field_error(self) -> FieldError:
        """As a field error of a 422 problem body, the rule id as its type."""
        return FieldError(loc=self.field, msg=self.message, type=self.rule)


@dataclass(frozen=True, slots=True)
class IncomeComponents:
    """One household's income for a year (收入), in yuan. Transfer is kept in its parts."""

    wage: Decimal = _ZERO  # 工资性收入
    operating: Decimal = _ZERO  # 生产经营性收入
    property: Decimal = _ZERO  # 财产性收入, including asset-income dividends
    operating_expenses: Decimal = _ZERO  # 生产经营性支出
    # 转移性收入 parts:
    family_planning: Decimal = _ZERO  # 计划生育金
    dibao: Decimal = _ZERO  # 低保金
    tekun: Decimal = _ZERO  # 特困供养金
    pension: Decimal = _ZERO  # 养老保险金
    ecological: Decimal = _ZERO  # 生态补偿金
    other_transfer: Decimal = _ZERO  # 其他转移性收入


def transfer_income(c: IncomeComponents) -> Decimal:
    """转移性收入: the sum of its parts."""
    return c.family_planning + c.dibao + c.tekun + c.pension + c.ecological + c.other_transfer


def net_income(c: IncomeComponents) -> Decimal:
    """纯收入 = wage + operating + property + transfer − operating expenses."""
    return c.wage + c.operating + c.property + transfer_income(c) - c.operating_expenses


def per_capita_net_income(components: IncomeComponents, size: int) -> Decimal:
    """人均纯收入: net ÷ household size, two places, half up. The only copy of the formula."""
    if size <= 0:
        raise InvalidInput(f"household size must be positive to divide income, got {size}")
    return (net_income(components) / size).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class MemberCheck:
    """What the rules need of one member (家庭成员) in the data year; codes are catalog codes."""

    key: str  # person key, echoed only by callers; never an ID number
    relation: str | None = None  # 与户主关系
    sex: str | None = None  # "male" | "female"
    birth_date: date | None = None
    health: frozenset[str] = frozenset()  # 健康状况, several may apply
    school_status: str | None = None  # 在校生状况
    dropout: bool = False  # 辍学
    labour: str | None = None  # 劳动技能
    work_status: str | None = None  # 务工状况
    work_months: int = 0  # 务工时间(月)
    critical_illness_insured: bool = False  # 是否参加大病保险


@dataclass(frozen=True, slots=True)
class HouseholdCheck:
    """What the rules need of one household (贫困户) in one data year."""

    data_year: int
    status: str  # 脱贫状态 code
    declared_size: int  # 人数 as recorded on the household
    members: tuple[MemberCheck, ...] = ()
    main_cause: str | None = None  # 主要致贫原因
    other_causes: tuple[str, ...] = ()  # 其他致贫原因
    income: IncomeComponents | None = None  # None while the year's survey is missing
    house_grade: str | None = None  # 危房等级, None when not assessed as dangerous
    water_safe: bool | None = None  # 饮水安全
    water_difficult: bool | None = None  # 饮水困难
    exit_year: int | None = None  # 脱贫年度; no national rule reads it, kept for callers
    poverty_line: Decimal | None = None  # provincial per-capita line of the year, if known


def age_at(born: date, on: date) -> int:
    """Full years of age on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _f(rule: str, message: str, path: FieldPath) -> Finding:
    return Finding(rule, RULES[rule][0], message, path)


def check_household(h: HouseholdCheck, *, reference_date: date | None = None) -> list[Finding]:
    """Every finding of every rule except the one that needs the database.

    Ages are taken on `reference_date`, by default the last day of the data year, which is
    the day the national system takes them on for a year's data.
    """
    on = reference_date or date(h.data_year, 12, 31)
    return [
        *_structure(h),
        *_causes(h),
        *(f for i, m in enumerate(h.members) for f in _member(i, m, on)),
        *_income(h),
        *_exited(h),
    ]


def _structure(h: HouseholdCheck) -> Iterator[Finding]:
    heads = [i for i, m in enumerate(h.members) if m.relation == "head"]
    if len(heads) != 1:
        yield _f(
            "household.one_head",
            f"户主人数应为1，实有{len(heads)} / exactly one head expected, found {len(heads)}",
            ("members",),
        )
    if h.declared_size != len(h.members):
        yield _f(
            "household.size_matches_members",
            f"家庭人数{h.declared_size}与成员数{len(h.members)}不符 / "
            f"size {h.declared_size} but {len(h.members)} members",
            ("size",),
        )
    head_sex = h.members[heads[0]].sex if len(heads) == 1 else None
    for i, m in enumerate(h.members):
        if m.relation == "spouse" and head_sex is not None and m.sex == head_sex:
            yield _f(
                "household.head_spouse_sex",
                "户主与配偶性别相同 / head and spouse have the same sex",
                ("members", i, "sex"),
            )
        expected = (
            "male"
            if m.relation in MALE_RELATIONS
            else "female"
            if m.relation in FEMALE_RELATIONS
            else None
        )
        if expected is not None and m.sex is not None and m.sex != expected:
            yield _f(
                "member.relation_sex",
                f"与户主关系{m.relation}应为{'男' if expected == 'male' else '女'}性 / "
                f"relation {m.relation} implies {expected}",
                ("members", i, "relation"),
            )


def _causes(h: HouseholdCheck) -> Iterator[Finding]:
    # The national check reads the main cause only: other causes are secondary and are
    # often recorded before the member facts that would support them.
    members = h.members
    needs = {
        "illness": (
            "household.cause_illness",
            any(m.health & ILL for m in members),
            "因病致贫但无患病成员 / cause illness but no chronically or seriously ill member",
        ),
        "disability": (
            "household.cause_disability",
            any("disabled" in m.health for m in members),
            "因残致贫但无残疾成员 / cause disability but no disabled member",
        ),
        "education": (
            "household.cause_education",
            any(m.school_status in IN_SCHOOL for m in members),
            "因学致贫但无在校生 / cause education but no member in school",
        ),
    }
    if h.main_cause in needs:
        rule, satisfied, message = needs[h.main_cause]
        if not satisfied:
            yield _f(rule, message, ("main_cause",))
    seen: set[str] = set()
    for j, cause in enumerate(h.other_causes):
        if cause == h.main_cause or cause in seen:
            yield _f(
                "household.other_causes_differ",
                f"其他致贫原因{cause}与主要原因或其他原因重复 / other cause {cause} repeated",
                ("other_causes", j),
            )
        seen.add(cause)
    if len(h.other_causes) > 2:
        yield _f(
            "household.other_causes_max_two",
            f"其他致贫原因至多两项，实有{len(h.other_causes)} / at most two other causes",
            ("other_causes",),
        )


def _works(m: MemberCheck) -> bool:
    return m.work_status in MIGRANT_WORK


def _member(i: int, m: MemberCheck, on: date) -> Iterator[Finding]:
    if m.labour in NO_LABOUR_ABILITY and _works(m):
        yield _f(
            "member.work_without_labour",
            "无劳动能力者不应有务工状况 / migrant work for a member with no labour ability",
            ("members", i, "work_status"),
        )
    if m.birth_date is None:
        return  # no age, no age rules; a missing birth date is the ID check's business
    age = age_at(m.birth_date, on)
    if age <= 14 and m.school_status in SENIOR_HIGH_OR_ABOVE:
        yield _f(
            "member.age_school_senior",
            f"{age}岁不应在高中及以上就读 / aged {age} cannot be in senior high or above",
            ("members", i, "school_status"),
        )
    if age >= 20 and m.school_status in PRIMARY_OR_BELOW:
        yield _f(
            "member.age_school_primary",
            f"{age}岁不应在小学及以下就读 / aged {age} cannot be in primary or below",
            ("members", i, "school_status"),
        )
    if 6 <= age <= 23 and m.school_status is None:
        yield _f(
            "member.school_status_required",
            f"{age}岁须填写在校生状况 / school status required at age {age}",
            ("members", i, "school_status"),
        )
    if 16 <= age <= 65 and m.labour is None:
        yield _f(
            "member.labour_required",
            f"{age}岁须填写劳动技能 / labour ability required at age {age}",
            ("members", i, "labour"),
        )


def _income(h: HouseholdCheck) -> Iterator[Finding]:
    c = h.income
    if c is None:
        return
    if c.operating > 0 and c.operating_expenses <= 0:
        yield _f(
            "income.operating_without_expenses",
            "有生产经营性收入但无生产经营性支出 / operating income without operating expenses",
            ("income", "operating_expenses"),
        )
    if h.declared_size > 0:  # a zero size is already an error of its own
        per_capita = per_capita_net_income(c, h.declared_size)
        if per_capita <= 0 or per_capita > PER_CAPITA_MAX:
            yield _f(
                "income.per_capita_out_of_range",
                f"人均纯收入{per_capita}元超出范围 / per-capita net income {per_capita} "
                f"outside (0, {PER_CAPITA_MAX}]",
                ("income",),
            )
    working = any(_works(m) for m in h.members)
    if c.wage > 0 and not working:
        yield _f(
            "income.wage_without_worker",
            "有工资性收入但无务工成员 / wage income but no member works",
            ("income", "wage"),
        )
    if working and c.wage <= 0:
        yield _f(
            "income.worker_without_wage",
            "有务工成员但无工资性收入 / a member works but there is no wage income",
            ("income", "wage"),
        )


def _exited(h: HouseholdCheck) -> Iterator[Finding]:
    # Only households recorded as exited: a pre-exit household is the exit review's job.
    if h.status not in EXITED:
        return
    if h.income is not None and h.poverty_line is not None and h.declared_size > 0:
        per_capita = per_capita_net_income(h.income, h.declared_size)
        if per_capita < h.poverty_line:
            yield _f(
                "exited.below_line",
                f"已脱贫户人均纯收入{per_capita}元低于标准{h.poverty_line}元 / "
                f"exited household below the line",
                ("income",),
            )
    for i, m in enumerate(h.members):
        if m.dropout:
            yield _f(
                "exited.dropout",
                "已脱贫户有辍学成员 / exited household with a dropout",
                ("members", i, "dropout"),
            )
    if h.house_grade in DANGEROUS_HOUSE:
        yield _f(
            "exited.dangerous_house",
            f"已脱贫户住{h.house_grade}级危房 / exited household in a dangerous house",
            ("house_grade",),
        )
    if h.water_safe is False:
        yield _f(
            "exited.unsafe_water",
            "已脱贫户饮水不安全 / exited household without safe drinking water",
            ("water_safe",),
        )
    if h.water_difficult is True:
        yield _f(
            "exited.unsafe_water",
            "已脱贫户饮水困难 / exited household with difficult access to drinking water",
            ("water_difficult",),
        )
    for i, m in enumerate(h.members):
        if m.health & ILL and not m.critical_illness_insured:
            yield _f(
                "exited.ill_uninsured",
                "已脱贫户患病成员未参加大病保险 / ill member not in critical-illness insurance",
                ("members", i, "critical_illness_insured"),
            )
