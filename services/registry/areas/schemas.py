"""Towns, villages, key-village designations and yearly village records as the API shows them.

Kinds are stable English codes in the API (DESIGN.md); the tables keep the Chinese word the
models document (镇/街道, 村/居), and the service maps between the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from pydantic.config import JsonDict

TownKind = Literal["town", "subdistrict"]  # 镇, 街道
VillageKind = Literal["village", "community"]  # 村, 居
DesignationCode = Literal["provincial", "city", "city_2018"]  # 省定, 市定, 新认定

TOWN_KIND_ZH: dict[str, str] = {"town": "镇", "subdistrict": "街道"}
VILLAGE_KIND_ZH: dict[str, str] = {"village": "村", "community": "居"}

TOWN_CODE = r"^370404\d{3}$"
VILLAGE_CODE = r"^370404\d{6}$"
Year = Annotated[int, Field(ge=2010, le=2100)]  # the village_year table's check constraint
DesignationYear = Annotated[int, Field(ge=2000, le=2100)]


def _not_float(value: object) -> object:
    # A JSON float cannot carry yuan exactly; the convention is decimal strings.
    if isinstance(value, float):
        raise ValueError('money is a decimal string in yuan, e.g. "12500.00"')
    return value


Money14 = Annotated[
    Decimal,
    BeforeValidator(_not_float),
    Field(ge=0, max_digits=14, decimal_places=2, examples=["12500.00"]),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]
Money12 = Annotated[
    Decimal,
    BeforeValidator(_not_float),
    Field(ge=0, max_digits=12, decimal_places=2, examples=["9860.00"]),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]


class TownIn(BaseModel):
    """A town as the bulk loader gives it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "370404104", "name": "峨山镇", "kind": "town"}]}
    )

    code: str = Field(pattern=TOWN_CODE)
    name: str = Field(min_length=1, max_length=32)
    kind: TownKind


class TownRead(TownIn):
    pass


class DesignationCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"designation": "provincial", "designated_year": 2014, "exit_year": None}]
        }
    )

    designation: DesignationCode
    designated_year: DesignationYear
    exit_year: DesignationYear | None = None

    @model_validator(mode="after")
    def _exit_after_designation(self) -> DesignationCreate:
        if self.exit_year is not None and self.exit_year < self.designated_year:
            raise ValueError("exit_year cannot be before designated_year")
        return self


class DesignationUpdate(BaseModel):
    """Set (or, with null, withdraw) the year the village left the key-village list."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"exit_year": 2017}]})

    exit_year: DesignationYear | None


class DesignationRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "designation": "provincial",
                    "designated_year": 2014,
                    "exit_year": 2017,
                    "etag": '"10452"',
                }
            ]
        }
    )

    designation: DesignationCode
    designated_year: int
    exit_year: int | None
    etag: str = Field(description="Send as If-Match to change this designation")


class VillageYearWrite(BaseModel):
    """The village's facts for one data year (DOMAIN.md 'Village per year')."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "households_total": 612,
                    "population_total": 2280,
                    "rural_population": 2154,
                    "per_capita_net_income": "9860.00",
                    "collective_income": "52000.00",
                    "road_hardened": True,
                    "bus_service": True,
                    "power_grid": True,
                    "tap_water": True,
                    "cable_tv": True,
                    "broadband": True,
                    "clinic": True,
                    "licensed_doctor": True,
                    "first_secretary": True,
                    "work_team": True,
                }
            ]
        }
    )

    households_total: int | None = Field(default=None, ge=0)
    population_total: int | None = Field(default=None, ge=0)
    rural_population: int = Field(ge=0, description="农业户籍人口, the incidence denominator")
    per_capita_net_income: Money12 | None = None
    collective_income: Money14 = Field(description="村集体经济收入, yuan")
    road_hardened: bool
    bus_service: bool
    power_grid: bool
    tap_water: bool
    cable_tv: bool
    broadband: bool
    clinic: bool
    licensed_doctor: bool
    first_secretary: bool
    work_team: bool

    @model_validator(mode="after")
    def _rural_within_total(self) -> VillageYearWrite:
        if self.population_total is not None and self.rural_population > self.population_total:
            raise ValueError("rural_population cannot exceed population_total")
        return self


_YEAR_EXAMPLE: JsonDict = {
    "village_code": "370404100001",
    "year": 2018,
    "households_total": 612,
    "population_total": 2280,
    "rural_population": 2154,
    "per_capita_net_income": "9860.00",
    "collective_income": "52000.00",
    "road_hardened": True,
    "bus_service": True,
    "power_grid": True,
    "tap_water": True,
    "cable_tv": True,
    "broadband": True,
    "clinic": True,
    "licensed_doctor": True,
    "first_secretary": True,
    "work_team": True,
    "etag": '"10467"',
}


class VillageYearRead(VillageYearWrite):
    model_config = ConfigDict(json_schema_extra={"examples": [_YEAR_EXAMPLE]})

    village_code: str
    year: int
    etag: str = Field(description="Send as If-Match to replace this year's record")


class VillageCreate(BaseModel):
    """A new 行政村; its town is the first nine digits of its code."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "370404100001",
                    "name": "朱园村",
                    "kind": "village",
                    "code_generated": True,
                    "name_generated": False,
                }
            ]
        }
    )

    code: str = Field(pattern=VILLAGE_CODE)
    name: str = Field(min_length=1, max_length=32)
    kind: VillageKind = "village"
    # The real statistical codes were not published; generated ones are marked as such.
    code_generated: bool = False
    name_generated: bool = False

    @property
    def town_code(self) -> str:
        return self.code[:9]


class VillageUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "朱园村", "name_generated": False}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=32)
    kind: VillageKind | None = None
    code_generated: bool | None = None
    name_generated: bool | None = None


VILLAGE_EXAMPLE: JsonDict = {
    "code": "370404100001",
    "town_code": "370404100",
    "name": "朱园村",
    "kind": "village",
    "code_generated": True,
    "name_generated": False,
    "etag": '"10431"',
    "designations": [
        {"designation": "provincial", "designated_year": 2014, "exit_year": 2017, "etag": '"10452"'}
    ],
}


class VillageRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [VILLAGE_EXAMPLE]})

    code: str
    town_code: str
    name: str
    kind: VillageKind
    code_generated: bool
    name_generated: bool
    etag: str = Field(description="Send as If-Match to change the village")
    designations: list[DesignationRead]


class VillageDetail(VillageRead):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**VILLAGE_EXAMPLE, "years": [_YEAR_EXAMPLE]}]}
    )

    years: list[VillageYearRead]


class DesignationLoad(DesignationCreate):
    """A designation as the bulk loader gives it."""

    village_code: str = Field(pattern=VILLAGE_CODE)


class VillageYearLoad(VillageYearWrite):
    """A yearly village record as the bulk loader gives it."""

    village_code: str = Field(pattern=VILLAGE_CODE)
    year: Year
