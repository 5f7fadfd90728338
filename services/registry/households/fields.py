"""Field types of the household API: national codes checked against the catalog, money
in yuan with two places (never negative), ID numbers normalised on arrival (15 → 18
characters) without ever echoing them in an error, dates that cannot lie in the future."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from services.registry.codes import catalog
from services.registry.codes.catalog import Code, CodeList
from shared.idcard import IdNumberError, normalize

# 人口减少原因: why a member left. Not in the catalog's national lists (its national codes
# were not found), so it lives here with local codes.
LEAVE_REASON = CodeList(
    "leave_reason",
    "人口减少原因",
    (
        Code("death", "1", "死亡"),
        Code("married_out", "2", "婚出"),
        Code("moved_out", "3", "户籍迁出"),
        Code("imprisoned", "4", "服刑"),
        Code("other", "9", "其他"),
    ),
)


def _in(code_list: CodeList) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in code_list:
            raise ValueError(f"unknown code {value!r} in {code_list.name} ({code_list.zh})")
        return value

    return check


def _coded(code_list: CodeList) -> Any:
    return Field(json_schema_extra={"enum": list(code_list.values())})


def _not_future_year(year: int) -> int:
    if year > date.today().year:
        raise ValueError("the data year is in the future")
    return year


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


IdentificationStandard = Annotated[
    str,
    AfterValidator(_in(catalog.IDENTIFICATION_STANDARD)),
    _coded(catalog.IDENTIFICATION_STANDARD),
]
AssistanceType = Annotated[
    str, AfterValidator(_in(catalog.ASSISTANCE_TYPE)), _coded(catalog.ASSISTANCE_TYPE)
]
PovertyStatus = Annotated[
    str, AfterValidator(_in(catalog.POVERTY_STATUS)), _coded(catalog.POVERTY_STATUS)
]
Cause = Annotated[str, AfterValidator(_in(catalog.POVERTY_CAUSE)), _coded(catalog.POVERTY_CAUSE)]
Relation = Annotated[str, AfterValidator(_in(catalog.RELATION)), _coded(catalog.RELATION)]
Ethnicity = Annotated[str, AfterValidator(_in(catalog.ETHNICITY)), _coded(catalog.ETHNICITY)]
Education = Annotated[str, AfterValidator(_in(catalog.EDUCATION)), _coded(catalog.EDUCATION)]
SchoolStatus = Annotated[
    str, AfterValidator(_in(catalog.SCHOOL_STATUS)), _coded(catalog.SCHOOL_STATUS)
]
Health = Annotated[str, AfterValidator(_in(catalog.HEALTH)), _coded(catalog.HEALTH)]
Labour = Annotated[str, AfterValidator(_in(catalog.LABOUR)), _coded(catalog.LABOUR)]
WorkStatus = Annotated[str, AfterValidator(_in(catalog.WORK_STATUS)), _coded(catalog.WORK_STATUS)]
DisabilityCategory = Annotated[
    str, AfterValidator(_in(catalog.DISABILITY_CATEGORY)), _coded(catalog.DISABILITY_CATEGORY)
]
HouseGrade = Annotated[str, AfterValidator(_in(catalog.HOUSE_GRADE)), _coded(catalog.HOUSE_GRADE)]
LeaveReason = Annotated[str, AfterValidator(_in(LEAVE_REASON)), _coded(LEAVE_REASON)]

Money = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=2), AfterValidator(_two_places)
]
Area = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2), AfterValidator(_two_places)]
VillageCode = Annotated[str, Field(pattern=r"^370404\d{6}$", examples=["370404104001"])]
Phone = Annotated[str, Field(pattern=r"^[0-9+\- ]{5,20}$", examples=["13805401234"])]
DataYear = Annotated[
    int,
    Field(ge=2014, le=2100, description="数据年度 data year"),
    AfterValidator(_not_future_year),
]
NationalNumber = Annotated[str, Field(min_length=1, max_length=32)]


def _not_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise ValueError("the date is in the future")
    return value


def _id18(value: str) -> str:
    try:
        return normalize(value)
    except IdNumberError as exc:  # the message never echoes the number
        raise ValueError(str(exc)) from None


# 居民身份证号码: normalised to 18 characters (15-digit numbers upgraded) on arrival.
IdNumber = Annotated[
    str,
    Field(min_length=15, max_length=18, examples=["370404197005120312"]),
    AfterValidator(_id18),
]
PastDate = Annotated[date, AfterValidator(_not_future)]
