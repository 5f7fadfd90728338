"""Key-village exit (RULES.md §4) and identification (§5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.eligibility.errors import InvalidParameter
from services.eligibility.parameters.model import ParameterRecord
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.rules.village import (
    KeyVillageFacts,
    VillageFacts,
    assess_village_exit,
    identify_key_village,
)


def village(**facts: Any) -> VillageFacts:
    base = {
        "rural_registered_population": 1000,
        "poor_not_exited": 10,
        "hardened_road": True,
        "passenger_bus": True,
        "power_grid": True,
        "tap_water": True,
        "cable_tv": True,
        "collective_income": "5000",
    }
    return VillageFacts.model_validate({**base, **facts})


@pytest.mark.parametrize(("poor", "exits"), [(19, True), (20, False)])  # 2 % is not below 2 %
def test_incidence_must_be_below_two_percent(params: ParameterSet, poor: int, exits: bool) -> None:
    assert assess_village_exit(village(poor_not_exited=poor), 2017, params).eligible is exits


def test_every_missing_indicator_is_a_reason(params: ParameterSet) -> None:
    result = assess_village_exit(
        village(passenger_bus=False, cable_tv=False, collective_income="0"), 2017, params
    )
    assert [r.split(":")[0] for r in result.reasons] == [
        "passenger_bus",
        "cable_tv",
        "collective_income",
    ]


def test_required_checks_are_a_parameter(params: ParameterSet) -> None:
    fewer = params.with_record(
        ParameterRecord(
            name="village.exit_required_checks",
            effective=date(2018, 1, 1),
            value=("hardened_road", "power_grid"),
            source="test",
        )
    )
    assert assess_village_exit(village(cable_tv=False), 2018, fewer).eligible
    unknown = params.with_record(
        ParameterRecord(
            name="village.exit_required_checks",
            effective=date(2018, 1, 1),
            value=("hospital",),
            source="test",
        )
    )
    with pytest.raises(InvalidParameter):
        assess_village_exit(village(), 2018, unknown)


def key(**facts: Any) -> KeyVillageFacts:
    base = {
        "rural_registered_population": 1000,
        "poor_persons": 80,
        "per_capita_net_income": "5999.99",
        "collective_income": "0",
        "provincial_incidence": "0.04",
        "provincial_rural_income": "10000",
    }
    return KeyVillageFacts.model_validate({**base, **facts})


def test_key_village_identification_edges(params: ParameterSet) -> None:
    assert identify_key_village(key(), 2017, params).eligible  # 8 % = 2 × 4 %; 5999.99 < 6000
    assert not identify_key_village(key(poor_persons=79), 2017, params).eligible
    assert not identify_key_village(key(per_capita_net_income="6000"), 2017, params).eligible
    result = identify_key_village(key(collective_income="0.01"), 2017, params)
    assert [c.code for c in result.checks if not c.passed] == ["no_collective_income"]
    assert result.parameters[1].value == Decimal("0.6")
