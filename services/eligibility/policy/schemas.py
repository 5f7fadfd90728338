"""Parameters as the API shows them, and the dated value an official adds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from services.eligibility.parameters.model import Unit, Validity


def _not_float(value: object) -> object:
    # A JSON float cannot carry 101.5 or 0.55 exactly; values travel as decimal strings.
    if isinstance(value, float):
        raise ValueError('a number is a decimal string, e.g. "101.5"')
    return value


Number = Annotated[Decimal, BeforeValidator(_not_float), Field(allow_inf_nan=False)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ParameterValueCreate(BaseModel):
    """A dated value with its source: the section of the plan, or the document entered from."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "effective": "2018-01-01",
                    "value": "101.5",
                    "source": "山东省统计局《2018年山东省国民经济和社会发展统计公报》农村居民消费价格指数",
                    "note": "derives the 2018 provincial line from 2017's",
                },
                {
                    "effective": "2019-01-01",
                    "value": "3609",
                    "source": "鲁扶贫发〔2019〕1号",
                },
            ]
        },
    )

    effective: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    value: Number | list[Code] = Field(description="A decimal string, or a list of codes")
    source: Text = Field(description="Required: where the value comes from")
    note: Text | None = None


_VALUE_EXAMPLE: dict[str, Any] = {
    "effective": "2017-01-01",
    "value": "3509",
    "source": "专栏21",
    "note": None,
    "origin": "file",
    "entered_by": None,
    "entered_at": "2026-11-29T08:00:00Z",
}


class ParameterValueRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_VALUE_EXAMPLE]})

    effective: date
    value: Decimal | list[str]
    source: str
    note: str | None
    origin: str = Field(description="file: the reviewed YAML files; official: entered via the API")
    entered_by: str | None
    entered_at: datetime


class ParameterRead(BaseModel):
    """A parameter's definition and every dated value, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "poverty_line.provincial",
                    "group": "poverty_line",
                    "description": "省定扶贫标准 Shandong provincial poverty line (the district applies it)",
                    "unit": "yuan",
                    "validity": "calendar_year",
                    "index": "cpi.rural",
                    "derivation_source": "第二章第四节一（二）",
                    "values": [_VALUE_EXAMPLE],
                }
            ]
        }
    )

    name: str
    group: str
    description: str
    unit: Unit
    validity: Validity = Field(
        description="until_next: applies until the next value; calendar_year: only in its year"
    )
    index: str | None = Field(description="Index deriving a missing year's value, if any")
    derivation_source: str | None
    values: list[ParameterValueRead]


VALUE_IN_FORCE_EXAMPLE: dict[str, Any] = {
    "name": "poverty_line.provincial",
    "effective": "2018-01-01",
    "value": "3561.64",
    "source": "derived: poverty_line.provincial 2017 × cpi.rural 2018 ÷ 100, rounded to the fen (第二章第四节一（二）)",
    "note": None,
    "derived_from": [
        {"name": "poverty_line.provincial", "effective": "2017-01-01", "value": "3509",
         "source": "专栏21", "note": None, "derived_from": []},
        {"name": "cpi.rural", "effective": "2018-01-01", "value": "101.5",
         "source": "山东省统计局", "note": None, "derived_from": []},
    ],
}  # fmt: skip
