"""Describes the catalogue for GET /v1/benefits: each benefit's facts with type and meaning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ..results import AmountUnit, Period
from .catalogue import BENEFITS, Benefit


class FactDescription(BaseModel):
    name: str
    type: str
    description: str
    required: bool


class BenefitDescription(BaseModel):
    code: str
    name_zh: str
    name_en: str
    section: str
    period: Period
    unit: AmountUnit
    returns: str
    reading: str | None
    facts: list[FactDescription]
    facts_schema: dict[str, Any]


def _type_of(schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        return _type_of(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions)
    if "anyOf" in schema:
        types = [s.get("type") for s in schema["anyOf"]]
        if types == ["number", "string"]:  # how pydantic renders Decimal: number or its string
            return "decimal" + _type_of(schema["anyOf"][0], definitions).removeprefix("number")
        kinds = [_type_of(s, definitions) for s in schema["anyOf"]]
        return " | ".join(k for k in kinds if k != "null") + (" | null" if "null" in kinds else "")
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return f"list of {_type_of(schema.get('items', {}), definitions)}"
    kind = str(schema.get("format") or schema.get("type", "any"))
    bounds = [
        f"{op} {schema[key]}"
        for key, op in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"))
        if key in schema
    ]
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def _describe(benefit: Benefit[Any]) -> BenefitDescription:
    schema = benefit.facts.model_json_schema()
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", []))
    facts = [
        FactDescription(
            name=name,
            type=_type_of(prop, definitions),
            description=benefit.facts.model_fields[name].description or "",
            required=name in required,
        )
        for name, prop in schema["properties"].items()
    ]
    return BenefitDescription(
        code=benefit.code,
        name_zh=benefit.name_zh,
        name_en=benefit.name_en,
        section=benefit.section,
        period=benefit.period,
        unit=benefit.unit,
        returns=benefit.returns,
        reading=benefit.reading,
        facts=facts,
        facts_schema=schema,
    )


def describe() -> list[BenefitDescription]:
    """The catalogue as GET /v1/benefits serves it."""
    return [_describe(benefit) for benefit in BENEFITS.values()]
