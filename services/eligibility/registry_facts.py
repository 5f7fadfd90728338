"""A registry household record (`GET /v1/households/{id}?year=`, the export) as the facts
the rules read (`HouseholdFacts`). The one place that knows both vocabularies.

Readings, visible in each assessment's trace of inputs:
- The registry's English codes map to the national codes the engine uses (脱贫状态 0–4,
  健康状况 01–04, 在校生状况 01–16).
- A member counts in year Y when they have a record of Y and had not left before or
  during Y (the registry's own rule for household size).
- 特困供养 is a yes/no in the registry; a member living in a registered household is read
  as 分散供养 (dispersed). Both arrangements get the same support (专栏22-6).
- No 危房等级 means the house is not dangerous: read as grade A.
- No health codes recorded reads as 健康 (01); a role the registry hides health from
  cannot be assessed (the record is refused, not guessed).
- Facts the registry does not keep (a renovation plan, afforested plots, farm-insurance
  premium, care level, orphan status, pension tier, boarding, medical costs) are absent:
  benefits that need them are claims, calculated through `POST /v1/benefits/{code}/calculate`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from services.eligibility.errors import InvalidFacts
from services.eligibility.household import HouseholdFacts
from shared.errors import FieldError

STATUS = {
    "not_exited": "0",
    "exited_supported": "1",
    "pre_exit": "2",
    "returned": "3",
    "exited_unsupported": "4",
}
EXITED_STATUSES = frozenset({"1", "4"})
HEALTH = {"healthy": "01", "chronic": "02", "serious_illness": "03", "disabled": "04"}
SCHOOL = {
    "not_in_school": "01",
    "preschool": "02",
    "primary": "03",
    "grade7": "04",
    "grade8": "05",
    "grade9": "06",
    **{f"senior{i}": f"{6 + i:02d}" for i in (1, 2, 3)},
    **{f"vocational_secondary{i}": f"{9 + i:02d}" for i in (1, 2, 3)},
    **{f"vocational_higher{i}": f"{12 + i:02d}" for i in (1, 2, 3)},
    "college": "16",
}
INCOME = {
    "wage_income": "wage_income",
    "operating_income": "operating_income",
    "property_income": "property_income",
    "family_planning_income": "family_planning",
    "dibao_income": "dibao_payment",
    "tekun_income": "tekun_payment",
    "pension_income": "pension_payment",
    "ecological_income": "ecological",
    "other_transfer_income": "other_transfer",
    "operating_expenses": "operating_expenses",
    "one_off_income": "one_off",
}
READING = (
    "Registry codes map to the national codes; a member counts in Y with a record of Y and "
    "not having left before its end; 特困供养 in a registered household reads as 分散供养; no "
    "危房等级 reads as grade A; no health codes read as 健康. Facts the registry does not keep "
    "(renovation plan, plots, premiums, care level, orphan status, pension tier, boarding, "
    "medical costs) are absent: those benefits are claims, calculated one at a time."
)


class RegistryFactsInvalid(InvalidFacts):
    """The registry's record cannot be assessed as it stands; each error names the fact."""

    title = "Registry record cannot be assessed"
    type_slug = "invalid-registry-facts"


def _fail(household: str, year: int, errors: list[FieldError]) -> RegistryFactsInvalid:
    named = ", ".join(".".join(str(p) for p in e.loc) for e in errors)
    return RegistryFactsInvalid(
        f"the registry record of household {household} for {year} cannot be assessed "
        f"({named}); correct it in the registry",
        errors=errors,
        extra={"household_id": household, "year": year},
    )


def counted_members(record: dict[str, Any], year: int) -> list[dict[str, Any]]:
    """Members of the household in `year`: a record of that year, not left before its end."""
    everyone = [*record.get("members", []), *record.get("departed_members", [])]
    counted = []
    for member in everyone:
        attributes = member.get("year")
        if attributes is None or attributes.get("year") != year:
            continue
        left = member.get("left_on")
        if left is not None and date.fromisoformat(str(left)).year <= year:
            continue
        counted.append(member)
    return counted


def _member(member: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    who = str(member["id"])
    attributes = member["year"]
    health = attributes.get("health")
    if health is None:
        errors.append(
            FieldError(
                ("registry", "members", who, "year", "health"),
                "the registry hides health details from the caller's role",
            )
        )
        health = []
    unknown = [h for h in health if h not in HEALTH]
    if unknown:
        errors.append(
            FieldError(("registry", "members", who, "year", "health"), f"unknown codes {unknown}")
        )
    school = attributes.get("school_status") or "not_in_school"
    if school not in SCHOOL:
        errors.append(
            FieldError(
                ("registry", "members", who, "year", "school_status"), f"unknown code {school!r}"
            )
        )
    return {
        "member_id": who,
        "birth_date": member["birth_date"],
        "sex": member["sex"],
        "health": [HEALTH[h] for h in health if h in HEALTH] or ["01"],
        "disability_grade": attributes.get("disability_grade"),
        "school_status": SCHOOL.get(school, "01"),
        "dropout_for_poverty": bool(attributes.get("dropout_for_poverty")),
        "basic_medical_insured": bool(attributes.get("basic_medical_insured")),
        "critical_illness_insured": bool(attributes.get("critical_illness_insured")),
        "commercial_insured": bool(attributes.get("commercial_insured")),
        "pension_enrolled": bool(attributes.get("pension_insured")),
        "dibao": bool(attributes.get("dibao")),
        "tekun": "dispersed" if attributes.get("tekun") else None,
    }


def household_payload(record: dict[str, Any], year: int) -> dict[str, Any]:
    """The engine's facts of a registry record, or `RegistryFactsInvalid` naming what is wrong."""
    household = str(record.get("id"))
    errors: list[FieldError] = []
    survey = record.get("year")
    if survey is None or survey.get("year") != year:
        raise _fail(
            household,
            year,
            [
                FieldError(
                    ("registry", "year"), f"the registry holds no {year} survey of the household"
                )
            ],
        )
    members = counted_members(record, year)
    if not members:
        errors.append(FieldError(("registry", "members"), f"no member has a {year} record"))
    status = STATUS.get(str(record.get("status")))
    if status is None:
        errors.append(
            FieldError(("registry", "status"), f"unknown status {record.get('status')!r}")
        )
    member_facts = [_member(m, errors) for m in members]
    if errors:
        raise _fail(household, year, errors)
    return {
        "household_id": household,
        "village_code": record["village_code"],
        "status": status,
        "exit_year": record.get("exit_year") if status in EXITED_STATUSES else None,
        "assistance": record.get("assistance_type"),
        "members": member_facts,
        "income": {ours: survey[theirs] for theirs, ours in INCOME.items()},
        "housing_grade": survey.get("house_grade") or "A",
        "relocation_household": bool(survey.get("relocation")),
        "relocation_moved_in": bool(survey.get("relocated_moved_in")),
        "water_safe": bool(survey.get("drinking_water_safe")),
        "water_difficult": bool(survey.get("drinking_water_difficult")),
        "food_secure": survey.get("food_secure"),
        "clothing_secure": survey.get("clothing_secure"),
        "expenditure_poverty": bool(survey.get("expenditure_poverty")),
        "hold_reason": record.get("exit_hold_reason"),
    }


def household_facts(record: dict[str, Any], year: int) -> HouseholdFacts:
    payload = household_payload(record, year)
    try:
        return HouseholdFacts.model_validate(payload)
    except ValidationError as exc:
        ids = [m["member_id"] for m in payload["members"]]
        errors = []
        for e in exc.errors():
            loc = list(e["loc"])
            if (
                len(loc) >= 2
                and loc[0] == "members"
                and isinstance(loc[1], int)
                and loc[1] < len(ids)
            ):
                loc[1] = ids[loc[1]]
            errors.append(FieldError(("registry", *loc), e["msg"], e["type"]))
        raise _fail(payload["household_id"], year, errors) from exc


# --- villages ------------------------------------------------------------------------------


def village_year(village: dict[str, Any], year: int) -> dict[str, Any]:
    record = next((y for y in village.get("years", []) if y.get("year") == year), None)
    if record is None:
        raise _village_fail(
            village,
            year,
            [FieldError(("registry", "years", year), f"no {year} record of the village")],
        )
    found: dict[str, Any] = record
    return found


def _village_fail(
    village: dict[str, Any], year: int, errors: list[FieldError]
) -> RegistryFactsInvalid:
    code = str(village.get("code"))
    return RegistryFactsInvalid(
        f"the registry record of village {code} for {year} cannot be assessed; correct it in "
        "the registry",
        errors=errors,
        extra={"village_code": code, "year": year},
    )


def _poor_persons(village: dict[str, Any], year: int, incidence: dict[str, Any] | None) -> int:
    if incidence is None:
        raise _village_fail(
            village, year, [FieldError(("registry", "stats"), "no village statistics for the year")]
        )
    return int(incidence["not_exited_persons"])


def village_exit_payload(
    village: dict[str, Any], year: int, incidence: dict[str, Any] | None
) -> dict[str, Any]:
    """`VillageFacts` of §4 from the village's record of the year and its statistics."""
    record = village_year(village, year)
    return {
        "rural_registered_population": record["rural_population"],
        "poor_not_exited": _poor_persons(village, year, incidence),
        "hardened_road": record["road_hardened"],
        "passenger_bus": record["bus_service"],
        "power_grid": record["power_grid"],
        "tap_water": record["tap_water"],
        "cable_tv": record["cable_tv"],
        "collective_income": record["collective_income"],
    }


def key_village_payload(
    village: dict[str, Any], year: int, incidence: dict[str, Any] | None
) -> dict[str, Any]:
    """`KeyVillageFacts` of §5 without the provincial figures (the caller supplies those)."""
    record = village_year(village, year)
    if record.get("per_capita_net_income") is None:
        raise _village_fail(
            village,
            year,
            [FieldError(("registry", "years", year, "per_capita_net_income"), "not recorded")],
        )
    return {
        "rural_registered_population": record["rural_population"],
        "poor_persons": _poor_persons(village, year, incidence),
        "per_capita_net_income": record["per_capita_net_income"],
        "collective_income": record["collective_income"],
    }


def validated(model: type[Any], payload: dict[str, Any], what: dict[str, Any], year: int) -> Any:
    """Validate village facts; a failure names each fact under `registry`."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = [FieldError(("registry", *e["loc"]), e["msg"], e["type"]) for e in exc.errors()]
        raise _village_fail(what, year, errors) from exc
