"""Parameters as data: the plan's values, dated lookup, refusal of sourceless values, derivation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.eligibility.errors import InvalidParameter, ParameterNotInForce, UnknownParameter
from services.eligibility.parameters.loader import load_directory, parse_file
from services.eligibility.parameters.model import ParameterRecord
from services.eligibility.parameters.store import ParameterSet

from .conftest import CPI_2016


def record(
    name: str, effective: date, value: str | list[str], source: str = "test"
) -> ParameterRecord:
    return ParameterRecord.model_validate(
        {"name": name, "effective": effective, "value": value, "source": source}
    )


@pytest.mark.parametrize(
    ("name", "effective", "value", "source"),
    [  # RULES.md §1, row by row
        ("poverty_line.national", date(2010, 1, 1), "2300", "第二章第四节一（一）"),
        ("poverty_line.national", date(2015, 1, 1), "2800", "第二章第四节一（一）"),
        ("poverty_line.provincial", date(2010, 1, 1), "3000", "第二章第四节一（二）"),
        ("poverty_line.provincial", date(2015, 1, 1), "3372", "第二章第四节一（二）"),
        ("poverty_line.provincial", date(2017, 1, 1), "3509", "专栏21"),
        ("dibao.rural_standard", date(2010, 1, 1), "1200", "第一章第一节四"),
        ("dibao.rural_standard", date(2015, 1, 1), "2800", "第一章第一节四"),
        ("dibao.rural_standard", date(2017, 1, 1), "3900", "专栏21; 专栏22-5"),
        ("tekun.concentrated", date(2017, 1, 1), "5070", "专栏22-6"),
        ("tekun.dispersed", date(2017, 1, 1), "5070", "专栏22-6"),
        ("household_exit.stability_multiplier", date(2016, 1, 1), "2", "第二章第四节二（一）"),
        ("village.exit_max_incidence", date(2016, 1, 1), "0.02", "第二章第四节二（二）"),
    ],
)
def test_plan_values_are_shipped_with_their_source(
    plan: ParameterSet, name: str, effective: date, value: str, source: str
) -> None:
    found = plan.value(name, effective)
    assert (found.effective, found.value, found.source) == (effective, Decimal(value), source)


def test_yaml_numbers_are_exact_decimals(plan: ParameterSet) -> None:
    rate = plan.value("medical.critical_rate_band_1", date(2017, 6, 1)).value
    assert rate == Decimal("0.55")
    assert isinstance(rate, Decimal)


def test_a_value_applies_until_the_next(plan: ParameterSet) -> None:
    assert plan.number("dibao.rural_standard", date(2016, 7, 1)) == Decimal(2800)
    assert plan.number("dibao.rural_standard", date(2016, 12, 31)) == Decimal(2800)
    assert plan.number("dibao.rural_standard", date(2017, 1, 1)) == Decimal(3900)


def test_a_date_before_the_first_value_names_parameter_and_date(plan: ParameterSet) -> None:
    with pytest.raises(ParameterNotInForce) as caught:
        plan.value("elderly_allowance.band_1", date(2016, 12, 31))
    error = caught.value
    assert error.status == 409
    assert error.extra == {"parameter": "elderly_allowance.band_1", "on": "2016-12-31"}
    assert "2017-01-01" in error.detail


def test_a_yearly_line_never_carries_into_another_year(plan: ParameterSet) -> None:
    with pytest.raises(ParameterNotInForce) as caught:
        plan.value("poverty_line.provincial", date(2016, 6, 1))
    assert caught.value.parameter == "poverty_line.provincial"
    assert "cpi.rural" in caught.value.detail


def test_line_derived_from_previous_line_and_rural_cpi(plan: ParameterSet) -> None:
    derived = plan.with_record(CPI_2016).value("poverty_line.provincial", date(2016, 6, 1))
    assert derived.value == Decimal("3439.44")  # 3372 × 102 ÷ 100
    assert [v.value for v in derived.derived_from] == [Decimal(3372), Decimal(102)]
    assert derived.source.startswith("derived")


def test_derivation_chains_over_years(plan: ParameterSet) -> None:
    params = plan.with_record(record("cpi.rural", date(2018, 1, 1), "101.5")).with_record(
        record("cpi.rural", date(2019, 1, 1), "102")
    )
    # 3509 × 1.015 = 3561.635 → 3561.64 (half up); × 1.02 = 3632.8728 → 3632.87
    assert params.number("poverty_line.provincial", date(2018, 3, 1)) == Decimal("3561.64")
    assert params.number("poverty_line.provincial", date(2019, 3, 1)) == Decimal("3632.87")


def test_an_entered_value_wins_over_derivation(plan: ParameterSet) -> None:
    params = plan.with_record(CPI_2016).with_record(
        record("poverty_line.provincial", date(2016, 1, 1), "3402", "鲁政办字 (entered)")
    )
    assert params.number("poverty_line.provincial", date(2016, 6, 1)) == Decimal(3402)


def test_the_set_rebuilds_from_plain_records(params: ParameterSet) -> None:
    rebuilt = ParameterSet.from_records(params.records())
    assert rebuilt.records() == params.records()
    assert rebuilt.value("cpi.rural", date(2016, 5, 1)).value == Decimal(102)


def test_a_code_list_parameter(plan: ParameterSet) -> None:
    checks = plan.value("village.exit_required_checks", date(2017, 1, 1)).codes
    assert checks == (
        "hardened_road",
        "passenger_bus",
        "power_grid",
        "tap_water",
        "cable_tv",
        "collective_income",
    )


@pytest.mark.parametrize("source", ["", "   "])
def test_a_value_without_a_source_is_refused(source: str) -> None:
    with pytest.raises(ValueError, match="source"):
        record("dibao.rural_standard", date(2018, 1, 1), "4000", source)


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("medical.critical_rate_band_1", "1.5", "between 0 and 1"),
        ("dibao.rural_standard", "-1", "negative"),
        ("cpi.rural", "0", "positive"),
        ("village.exit_required_checks", "3", "codes"),
        ("dibao.rural_standard", ["a"], "number"),
        ("no.such_parameter", "1", "no parameter"),
    ],
)
def test_bad_values_are_refused(plan: ParameterSet, name: str, value: str, why: str) -> None:
    with pytest.raises(InvalidParameter, match=why) as caught:
        plan.with_record(record(name, date(2018, 1, 1), value))
    assert caught.value.status == 422


def test_two_values_on_one_date_are_refused(plan: ParameterSet) -> None:
    with pytest.raises(InvalidParameter, match="already"):
        plan.with_record(record("dibao.rural_standard", date(2017, 1, 1), "4000"))


def test_unknown_parameter_is_404(plan: ParameterSet) -> None:
    with pytest.raises(UnknownParameter) as caught:
        plan.value("dibao.urban_standard", date(2017, 1, 1))
    assert caught.value.status == 404


def test_loader_refuses_a_file_value_without_source(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "group: g\ndescription: d\nparameters:\n  p:\n    description: d\n    unit: yuan\n"
        "    values:\n      - {effective: 2017-01-01, value: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidParameter) as caught:
        parse_file(tmp_path / "bad.yaml")
    assert caught.value.errors[0].loc[:1] == ("bad.yaml",)
    assert "source" in caught.value.errors[0].loc


def test_every_shipped_value_has_a_source() -> None:
    definitions, records = load_directory()
    assert records and all(r.source.strip() for r in records)
    assert {r.name for r in records} <= set(definitions)


def test_history_lists_every_dated_value(plan: ParameterSet) -> None:
    history = plan.history("poverty_line.provincial")
    assert [(v.effective.year, v.value) for v in history] == [
        (2010, Decimal(3000)),
        (2015, Decimal(3372)),
        (2017, Decimal(3509)),
    ]
