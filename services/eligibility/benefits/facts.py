"""Fact types shared by several benefits, with the bounds that make bad facts a 422."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..money import MAX_YUAN

Targeted = Annotated[
    bool,
    Field(
        description=(
            "Member of a targeted household: registered poor (建档立卡), or exited within the "
            "years its policies stay unchanged (第十二章第二节五)"
        )
    ),
]
BirthDate = Annotated[date, Field(ge=date(1880, 1, 1), description="Date of birth")]
SignedYuan = Annotated[
    Decimal, Field(ge=-MAX_YUAN, le=MAX_YUAN, decimal_places=2, description="Yuan, may be < 0")
]
Rate = Annotated[Decimal, Field(ge=0, le=1, decimal_places=6)]
HouseholdSize = Annotated[int, Field(ge=1, le=30, description="Number of household members")]

HousingGrade = Literal["A", "B", "C", "D"]
"""房屋危险性评定等级 (专栏8): C partly dangerous, D wholly dangerous."""
SchoolStage = Literal[
    "preschool",
    "primary",
    "junior_secondary",
    "senior_high",
    "secondary_vocational",
    "higher_vocational",
    "higher_education",
]
CareLevel = Literal["cannot_self_care", "semi_self_care", "self_care"]
"""失能 care level: 完全不能自理 / 半自理 / 能自理 (专栏22-4)."""
TekunArrangement = Literal["concentrated", "dispersed"]
"""特困供养 (五保) arrangement: 集中供养 / 分散供养."""
ChildCategory = Literal["orphan_dispersed", "orphan_institutional", "child_in_distress"]
"""孤儿（社会散居 / 集中供养）, 困境儿童 (专栏22-7,8)."""


class Facts(BaseModel):
    """Base of every facts model: unknown fields are refused, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)
