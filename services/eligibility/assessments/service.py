"""Assessments from the registry's records (fetched over HTTP with the caller's token)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.eligibility.assessments.schemas import (
    KEY_VILLAGE_SECTION,
    VILLAGE_EXIT_SECTION,
    ExitAssessmentRead,
    IdentificationRead,
    ProvincialFigures,
    VillageAssessmentRead,
)
from services.eligibility.household import HouseholdFacts, IncomeFacts
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.registry_client import RegistryClient
from services.eligibility.registry_facts import (
    READING,
    household_facts,
    key_village_payload,
    validated,
    village_exit_payload,
)
from services.eligibility.rules.household_exit import ExitAssessment, ExitParameters, assess_exit
from services.eligibility.rules.identification import identify
from services.eligibility.rules.village import (
    KeyVillageFacts,
    VillageAssessment,
    VillageFacts,
    assess_village_exit,
    identify_key_village,
)


def exit_read(assessment: ExitAssessment, facts_reading: str | None) -> ExitAssessmentRead:
    return ExitAssessmentRead.model_validate(
        {**assessment.model_dump(), "facts_reading": facts_reading}
    )


async def registry_household(
    registry: RegistryClient, token: str, household_id: uuid.UUID, year: int
) -> tuple[dict[str, Any], HouseholdFacts]:
    record = await registry.household(household_id, year, token=token)
    return record, household_facts(record, year)


async def household_exit(
    registry: RegistryClient,
    token: str,
    household_id: uuid.UUID,
    year: int,
    params: ParameterSet,
) -> ExitAssessmentRead:
    ExitParameters.read(params, year)  # a 409 naming the parameter, before asking the registry
    _, facts = await registry_household(registry, token, household_id, year)
    return exit_read(assess_exit(facts, year, params), READING)


def village_read(assessment: VillageAssessment, section: str) -> VillageAssessmentRead:
    return VillageAssessmentRead.model_validate({**assessment.model_dump(), "section": section})


def village_exit_inline(
    facts: VillageFacts, year: int, params: ParameterSet
) -> VillageAssessmentRead:
    return village_read(assess_village_exit(facts, year, params), VILLAGE_EXIT_SECTION)


def key_village_inline(
    facts: KeyVillageFacts, year: int, params: ParameterSet
) -> VillageAssessmentRead:
    return village_read(identify_key_village(facts, year, params), KEY_VILLAGE_SECTION)


def identification(
    income: IncomeFacts, members: int, year: int, params: ParameterSet, facts_reading: str | None
) -> IdentificationRead:
    found = identify(income, members, year, params)
    return IdentificationRead.model_validate({**found.model_dump(), "facts_reading": facts_reading})


async def household_identification(
    registry: RegistryClient, token: str, household_id: uuid.UUID, year: int, params: ParameterSet
) -> IdentificationRead:
    end = date(year, 12, 31)
    params.value("poverty_line.provincial", end)
    params.value("poverty_line.national", end)
    _, facts = await registry_household(registry, token, household_id, year)
    return identification(facts.income, len(facts.members), year, params, READING)


def exit_parameters_in_force(params: ParameterSet, year: int) -> None:
    ExitParameters.read(params, year)


async def village_facts(
    registry: RegistryClient, token: str, code: str, year: int
) -> tuple[dict[str, Any], VillageFacts]:
    village = await registry.village(code, token=token)
    incidence = await registry.village_incidence(code, year, token=token)
    facts: VillageFacts = validated(
        VillageFacts, village_exit_payload(village, year, incidence), village, year
    )
    return village, facts


def village_parameters_in_force(params: ParameterSet, year: int) -> None:
    end = date(year, 12, 31)
    params.value("village.exit_max_incidence", end)
    params.value("village.exit_required_checks", end)


async def village_exit(
    registry: RegistryClient, token: str, code: str, year: int, params: ParameterSet
) -> VillageAssessmentRead:
    village_parameters_in_force(params, year)
    _, facts = await village_facts(registry, token, code, year)
    return village_exit_inline(facts, year, params)


async def key_village(
    registry: RegistryClient,
    token: str,
    code: str,
    year: int,
    figures: ProvincialFigures,
    params: ParameterSet,
) -> VillageAssessmentRead:
    end = date(year, 12, 31)
    params.value("village.key_incidence_multiple", end)
    params.value("village.key_income_ratio", end)
    village = await registry.village(code, token=token)
    incidence = await registry.village_incidence(code, year, token=token)
    payload = {**key_village_payload(village, year, incidence), **figures.model_dump()}
    facts: KeyVillageFacts = validated(KeyVillageFacts, payload, village, year)
    return key_village_inline(facts, year, params)
