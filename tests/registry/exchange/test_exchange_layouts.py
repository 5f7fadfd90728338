"""The two layouts: their columns, header detection, export, and export→parse equality."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.registry.exchange.layouts import (
    FULL,
    FULL_ONLY_COLUMNS,
    NATIONAL,
    detect_layout,
    format_household,
    format_rows,
)
from services.registry.exchange.parsing import parse_households
from shared.errors import InvalidInput
from tests.registry.exchange.exchange_samples import household, rows

# DOMAIN.md, "The flat exchange file", in its order.
DOMAIN_COLUMNS = [
    "县(市、区)",
    "乡(镇)",
    "行政村",
    "自然村",
    "户编号",
    "人编号",
    "姓名",
    "证件号码",
    "人数",
    "与户主关系",
    "民族",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "务工状况",
    "务工时间(月)",
    "是否参加大病保险",
    "脱贫属性",
    "脱贫年度",
    "贫困户属性",
    "主要致贫原因",
    "危房户",
    "饮水安全",
    "饮水困难",
    "人均纯收入",
    "联系电话",
]


def test_national_layout_is_domain_md_27_columns_in_order() -> None:
    assert NATIONAL.headers == tuple(DOMAIN_COLUMNS)
    assert len(NATIONAL.headers) == 27


def test_full_layout_extends_the_national_one_with_documented_columns() -> None:
    assert FULL.headers[:27] == NATIONAL.headers
    assert FULL.headers[27:] == tuple(c.header for c in FULL_ONLY_COLUMNS)
    assert len(set(FULL.headers)) == len(FULL.headers)
    assert all(c.description for c in FULL.columns)
    assert not any(c.required for c in FULL_ONLY_COLUMNS)  # a file may carry any subset


def test_detect_layout_national_full_and_a_subset_of_extras() -> None:
    assert detect_layout(NATIONAL.headers) is NATIONAL
    assert detect_layout(FULL.headers) is FULL
    assert detect_layout((*NATIONAL.headers, "识别年度")) is FULL
    assert detect_layout(tuple(reversed(NATIONAL.headers))) is NATIONAL  # order is free


def test_detect_layout_normalises_spaces_and_full_width_brackets() -> None:
    headers = [h.replace("(", "（").replace(")", "）") for h in NATIONAL.headers]
    headers[0] = " 县（市、区） "
    assert detect_layout(headers) is NATIONAL


def test_detect_layout_ignores_blank_header_cells() -> None:
    assert detect_layout((*NATIONAL.headers, "", " ")) is NATIONAL


def test_unknown_and_missing_columns_are_named() -> None:
    headers = [h for h in NATIONAL.headers if h != "人数"] + ["备注"]
    with pytest.raises(InvalidInput) as caught:
        detect_layout(headers)
    locs = {(e.loc, e.msg.split(" / ")[1]) for e in caught.value.errors}
    assert locs == {
        (("header", "备注"), "unknown column"),
        (("header", "人数"), "missing required column"),
    }
    assert "备注" in caught.value.detail and "人数" in caught.value.detail


def test_repeated_column_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        detect_layout((*NATIONAL.headers, "姓名"))
    assert [e.loc for e in caught.value.errors] == [("header", "姓名")]


@pytest.mark.parametrize(
    ("assistance", "status", "exit_year", "label"),
    [
        ("general", "not_exited", None, "一般贫困户"),
        ("general", "exited_supported", 2016, "一般脱贫户"),
        ("dibao", "exited_supported", 2017, "低保脱贫户"),
        ("tekun", "not_exited", None, "特困供养贫困户"),
        ("dibao_tekun", "exited_unsupported", 2016, "低保特困供养户"),
    ],
)
def test_household_attribute_is_derived_on_export(
    assistance: str, status: str, exit_year: int | None, label: str
) -> None:
    h = household(assistance_type=assistance, status=status, exit_year=exit_year)
    header = NATIONAL.headers.index("贫困户属性")
    assert {row[header] for row in format_household(h, NATIONAL)} == {label}


def test_household_values_repeat_on_every_member_row() -> None:
    h = household()
    exported = list(format_household(h, FULL))
    assert len(exported) == 3
    for c in FULL.household_columns:
        i = FULL.headers.index(c.header)
        assert len({row[i] for row in exported}) == 1, c.header
    assert exported[0][NATIONAL.headers.index("人数")] == "3"


def test_birth_date_is_written_only_for_a_member_without_id() -> None:
    h = household()
    no_id = replace(h.members[2], id_number=None)
    h = replace(h, members=(h.members[0], h.members[1], no_id))
    column = FULL.headers.index("出生日期")
    assert [row[column] for row in format_household(h, FULL)] == ["", "", "2003-09-01"]


@pytest.mark.parametrize("layout", [FULL, NATIONAL])
def test_format_then_parse_gives_the_household_back(layout: object) -> None:
    assert layout is FULL or layout is NATIONAL
    h = household()
    (parsed,) = parse_households(rows(h, layout), layout)
    assert parsed.errors == ()
    assert parsed.rows == (2, 3, 4)
    if layout is FULL:
        assert parsed.household == h
        return
    # The national layout carries no full-only column: those come back as unknown.
    national_only = replace(
        h,
        members=tuple(
            replace(
                m, disability_certificate=None, disability_category=None,
                disability_grade=None, basic_medical_insured=None, commercial_insured=None,
                pension_insured=None, dibao=None, tekun=None, active_soldier=None,
                dropped_out=None, dropout_for_poverty=None,
            )
            for m in h.members
        ),
        village_code=None, data_year=None, identification_standard=None,
        identification_year=None, other_causes=(), income=None, one_off_income=None,
        house_grade=None, relocation=None, relocated_moved_in=None, food_secure=None,
        clothing_secure=None, expenditure_poverty=None, arable_land_mu=None,
        housing_area_m2=None,
    )  # fmt: skip
    assert parsed.household == national_only


def test_member_without_id_keeps_sex_and_birth_date_from_their_columns() -> None:
    h = household()
    no_id = replace(h.members[1], id_number=None)
    h = replace(h, members=(h.members[0], no_id, h.members[2]))
    (parsed,) = parse_households(rows(h, FULL), FULL)
    assert parsed.household == h
    assert parsed.household is not None
    assert parsed.household.members[1].birth_date == date(1965, 7, 20)


def test_national_codes_parse_like_chinese_labels() -> None:
    h = household()
    coded = {
        "与户主关系": "01", "民族": "01", "文化程度": "02", "在校生状况": "01",
        "健康状况": "02、04", "劳动技能": "01", "务工状况": "02", "是否参加大病保险": "1",
        "脱贫属性": "1", "贫困户属性": "02", "主要致贫原因": "1", "危房户": "0",
        "饮水安全": "1", "饮水困难": "0",
    }  # fmt: skip
    (first, *others) = rows(h, FULL)
    first[1].update(coded)
    (parsed,) = parse_households([first, *others], FULL)
    assert parsed.errors == ()
    assert parsed.household == h


def test_format_rows_streams_household_after_household() -> None:
    h1 = household()
    h2 = household(national_number="H37040410420100002")
    stream = format_rows(iter([h1, h2]), NATIONAL)
    numbers = [row[NATIONAL.headers.index("户编号")] for row in stream]
    assert numbers == ["H37040410420100001"] * 3 + ["H37040410420100002"] * 3
