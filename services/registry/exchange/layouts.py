"""The two exchange layouts, and parsing and formatting of households in them.

- `NATIONAL`: the national flat file 贫困人口明细, one row per person, the 27 columns of
  DOMAIN.md in their order. Household values repeat on each member's row.
- `FULL`: those 27 columns followed by what our registry keeps beyond them (identification,
  income components, living conditions, member details). Every extra column is optional
  in a file, so a file may carry any subset of them; the national 27 are always required.

Cells may hold a national code or its Chinese label; export writes labels. Parsing never
raises on bad data: each bad cell becomes a `FieldError` at ("row", n, <Chinese header>)
and a household with any error is returned without a value, beside its errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.registry.codes.catalog import (
    DISABILITY_CATEGORY,
    DISABILITY_GRADE,
    EDUCATION,
    ETHNICITY,
    HEALTH,
    HOUSE_GRADE,
    HOUSEHOLD_ATTRIBUTE,
    IDENTIFICATION_STANDARD,
    LABOUR,
    POVERTY_CAUSE,
    POVERTY_STATUS,
    RELATION,
    SCHOOL_STATUS,
    SEX,
    WORK_STATUS,
)
from services.registry.exchange.cells import (
    Amount,
    Certificate,
    Code,
    Codes,
    Date,
    IdNumber,
    Integer,
    Kind,
    Pattern,
    Text,
    YesNo,
)
from services.registry.exchange.records import ExchangeHousehold, ExchangeMember
from shared.errors import FieldError, InvalidInput


class Level(StrEnum):
    household = "household"  # the same value on every row of the household
    member = "member"


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # the Chinese header, exactly as written on export
    field: str  # attribute of ExchangeHousehold / ExchangeMember ("income.x": of its income)
    level: Level
    kind: Kind
    description: str
    required: bool = False  # the cell must not be blank


H, M = Level.household, Level.member
_YEAR = Integer(1990, 2100)
_YES_NO = YesNo()
_MONEY = Amount()

# fmt: off
NATIONAL_COLUMNS: tuple[Column, ...] = (
    Column("县(市、区)", "county", H, Text(), "county-level area by name (峄城区)", True),
    Column("乡(镇)", "town", H, Text(), "town or sub-district by name", True),
    Column("行政村", "village", H, Text(), "administrative village (村/居) by name", True),
    Column("自然村", "natural_village", H, Text(), "natural village, where recorded"),
    Column("户编号", "national_number", H, Text(32),
           "national household number; a household's rows are consecutive", True),
    Column("人编号", "national_number", M, Text(32), "national person number"),
    Column("姓名", "name", M, Text(), "name", True),
    Column("证件号码", "id_number", M, IdNumber(),
           "resident ID number, 18 characters; 15-digit numbers are upgraded"),
    Column("人数", "size", H, Integer(1, 99),
           "household size; must equal the household's number of rows", True),
    Column("与户主关系", "relation", M, Code(RELATION), "relation to the head", True),
    Column("民族", "ethnicity", M, Code(ETHNICITY), "ethnic group (GB/T 3304)"),
    Column("文化程度", "education", M, Code(EDUCATION), "education attained"),
    Column("在校生状况", "school_status", M, Code(SCHOOL_STATUS), "school attendance"),
    Column("健康状况", "health", M, Codes(HEALTH, 3), "health, several joined with 、"),
    Column("劳动技能", "labour", M, Code(LABOUR), "labour ability"),
    Column("务工状况", "work_status", M, Code(WORK_STATUS), "where the member works for wages"),
    Column("务工时间(月)", "work_months", M, Integer(0, 12), "months worked in the year"),
    Column("是否参加大病保险", "critical_illness_insured", M, _YES_NO,
           "enrolled in critical-illness insurance"),
    Column("脱贫属性", "status", H, Code(POVERTY_STATUS), "poverty status (脱贫状态)", True),
    Column("脱贫年度", "exit_year", H, _YEAR, "year of exit; required once exited"),
    Column("贫困户属性", "attribute", H, Code(HOUSEHOLD_ATTRIBUTE),
           "household attribute: assistance type and whether exited", True),
    Column("主要致贫原因", "main_cause", H, Code(POVERTY_CAUSE), "main cause of poverty", True),
    Column("危房户", "dangerous_house", H, _YES_NO, "lives in a dangerous (C/D) house"),
    Column("饮水安全", "drinking_water_safe", H, _YES_NO, "drinking water is safe"),
    Column("饮水困难", "drinking_water_difficult", H, _YES_NO,
           "drinking water is hard to get (>1 km, 100 m climb, or short half a year)"),
    Column("人均纯收入", "per_capita_net_income", H, Amount(signed=True),
           "per-capita net income of the data year, yuan", True),
    Column("联系电话", "phone", H, Pattern(r"\d[\d\- ]{4,19}", "digits, such as 13805370000"),
           "contact telephone"),
)

FULL_ONLY_COLUMNS: tuple[Column, ...] = (
    Column("行政村代码", "village_code", H, Pattern(r"\d{12}", "12 digits (370404TTTVVV)"),
           "12-digit code of the village, which the national file names only"),
    Column("数据年度", "data_year", H, _YEAR, "year the income and living conditions describe"),
    Column("识别标准", "identification_standard", H, Code(IDENTIFICATION_STANDARD),
           "standard the household was identified under"),
    Column("识别年度", "identification_year", H, _YEAR, "year the household was registered"),
    Column("其他致贫原因", "other_causes", H, Codes(POVERTY_CAUSE, 2),
           "up to two other causes, different from the main one, joined with 、"),
    Column("工资性收入", "income.wage", H, _MONEY, "wage income, yuan"),
    Column("生产经营性收入", "income.operating", H, _MONEY, "production and operating income"),
    Column("财产性收入", "income.property", H, _MONEY,
           "property income, including asset-income dividends (资产收益分红)"),
    Column("计划生育金", "income.family_planning", H, _MONEY, "family-planning award"),
    Column("低保金", "income.dibao", H, _MONEY, "minimum-living allowance received"),
    Column("特困供养金", "income.tekun", H, _MONEY, "extreme-poverty support received"),
    Column("养老保险金", "income.pension", H, _MONEY, "pension received"),
    Column("生态补偿金", "income.ecological", H, _MONEY, "ecological compensation"),
    Column("其他转移性收入", "income.other_transfer", H, _MONEY, "other transfer income"),
    Column("生产经营性支出", "income.operating_expenses", H, _MONEY, "operating expenses"),
    Column("一次性收入", "one_off_income", H, _MONEY,
           "part of the income above that will not recur (RULES.md §3 stable income)"),
    Column("危房等级", "house_grade", H, Code(HOUSE_GRADE), "house safety grade A–D"),
    Column("易地扶贫搬迁户", "relocation", H, _YES_NO, "poverty relocation household"),
    Column("搬迁入住", "relocated_moved_in", H, _YES_NO, "a relocation household has moved in"),
    Column("不愁吃", "food_secure", H, _YES_NO, "food secure (两不愁)"),
    Column("不愁穿", "clothing_secure", H, _YES_NO, "clothing secure (两不愁)"),
    Column("支出型贫困", "expenditure_poverty", H, _YES_NO,
           "expenditure-type poverty from major illness or disaster this year"),
    Column("耕地面积(亩)", "arable_land_mu", H, Amount(), "arable land, mu"),
    Column("住房面积(平方米)", "housing_area_m2", H, Amount(), "housing floor area, m²"),
    Column("性别", "sex", M, Code(SEX), "sex; must match the ID number when there is one"),
    Column("出生日期", "birth_date", M, Date(),
           "birth date, written only for a member without an ID number"),
    Column("残疾证号", "disability_certificate", M, Certificate(),
           "disability certificate: ID number, category digit, grade digit"),
    Column("残疾类别", "disability_category", M, Code(DISABILITY_CATEGORY),
           "disability category; must match the certificate"),
    Column("残疾等级", "disability_grade", M, Code(DISABILITY_GRADE),
           "disability grade, 一级 most severe; must match the certificate"),
    Column("是否参加城乡居民基本医疗保险", "basic_medical_insured", M, _YES_NO,
           "enrolled in basic medical insurance"),
    Column("是否参加商业补充医疗保险", "commercial_insured", M, _YES_NO,
           "enrolled in commercial supplementary medical insurance"),
    Column("是否参加城乡居民基本养老保险", "pension_insured", M, _YES_NO,
           "enrolled in basic pension insurance"),
    Column("是否享受低保", "dibao", M, _YES_NO, "receives the minimum-living allowance"),
    Column("是否特困供养", "tekun", M, _YES_NO, "receives extreme-poverty support"),
    Column("是否现役军人", "active_soldier", M, _YES_NO, "serving soldier"),
    Column("是否辍学", "dropped_out", M, _YES_NO, "has dropped out of school"),
    Column("是否因贫辍学", "dropout_for_poverty", M, _YES_NO,
           "dropped out because of poverty (blocks exit, RULES.md §3)"),
)
# fmt: on


class Layout:
    def __init__(self, name: str, columns: Sequence[Column]) -> None:
        self.name = name
        self.columns = tuple(columns)
        self.headers = tuple(c.header for c in self.columns)
        self.household_columns = tuple(c for c in self.columns if c.level is H)
        self.household_headers = tuple(c.header for c in self.household_columns)
        self.member_columns = tuple(c for c in self.columns if c.level is M)

    def __repr__(self) -> str:
        return f"Layout({self.name!r})"


NATIONAL = Layout("national", NATIONAL_COLUMNS)
FULL = Layout("full", NATIONAL_COLUMNS + FULL_ONLY_COLUMNS)
LAYOUTS = {layout.name: layout for layout in (NATIONAL, FULL)}
HOUSEHOLD_NUMBER = "户编号"
# Readers put non-blank cells that sit under no header here, so parsing can report them.
EXTRA_CELLS = "(无表头的单元格)"

_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "\ufeff": ""})
_FULL_ONLY = frozenset(c.header for c in FULL_ONLY_COLUMNS)


def normalize_header(text: str) -> str:
    """Headers as exported vary in spaces and full-width brackets: 乡（镇） is 乡(镇)."""
    return "".join(text.translate(_FULLWIDTH).split())


def detect_layout(headers: Sequence[str]) -> Layout:
    """The layout a header row is in; unknown, repeated or missing columns are refused.

    Blank headers are ignored (spreadsheets often carry empty trailing columns).
    """
    names = [h for h in (normalize_header(h) for h in headers) if h]
    known = set(FULL.headers)
    errors = [FieldError(("header", h), "未知列 / unknown column") for h in names if h not in known]
    seen: set[str] = set()
    for h in names:
        if h in seen:
            errors.append(FieldError(("header", h), "重复列 / repeated column"))
        seen.add(h)
    errors += [
        FieldError(("header", h), "缺少必需列 / missing required column", "missing")
        for h in NATIONAL.headers
        if h not in seen
    ]
    if errors:
        listed = "; ".join(f"{e.loc[1]}: {e.msg}" for e in errors)
        raise InvalidInput(f"表头不符合贫困人口明细格式 / header row not accepted: {listed}",
                           errors=errors)  # fmt: skip
    return FULL if seen & _FULL_ONLY else NATIONAL


def _household_value(household: ExchangeHousehold, field: str) -> object:
    if field.startswith("income."):
        income = household.income
        return None if income is None else getattr(income, field.removeprefix("income."))
    return getattr(household, field)  # includes the derived `size` and `attribute`


def _member_value(member: ExchangeMember, field: str) -> object:
    if field == "birth_date" and member.id_number is not None:
        return None  # the ID number carries it; writing it twice only spreads personal data
    return getattr(member, field)


def format_household(household: ExchangeHousehold, layout: Layout) -> Iterator[list[str]]:
    """The household's rows in the layout's column order, one per member."""
    shared = {
        c.header: c.kind.format(_household_value(household, c.field))
        for c in layout.household_columns
    }
    for member in household.members:
        yield [
            shared[c.header] if c.level is H else c.kind.format(_member_value(member, c.field))
            for c in layout.columns
        ]


def format_rows(households: Iterable[ExchangeHousehold], layout: Layout) -> Iterator[list[str]]:
    for household in households:
        yield from format_household(household, layout)
