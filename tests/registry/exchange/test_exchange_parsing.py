"""Parsing collects: every bad cell is one error at its row and Chinese column header."""

from __future__ import annotations

import pytest

from services.registry.exchange.layouts import EXTRA_CELLS, FULL, NATIONAL, Level
from services.registry.exchange.parsing import group_rows, parse_households
from tests.registry.exchange.exchange_samples import WIFE_ID, household, rows

Rows = list[tuple[int, dict[str, str]]]
LEVEL = {c.header: c.level for c in FULL.columns}


def sample() -> Rows:
    return rows(household(), FULL)  # rows 2, 3, 4: head, wife, son


def with_cell(data: Rows, header: str, value: str, member: int = 0) -> Rows:
    """Set a cell; a household column is set on every row, as a file would repeat it."""
    for i, (_, cells) in enumerate(data):
        if LEVEL[header] is Level.household or i == member:
            cells[header] = value
    return data


# (cells to set as (header, value, member row index), header of the error, error type)
BAD_CELLS: list[tuple[list[tuple[str, str, int]], str, str]] = [
    ([("证件号码", "370402196507200021", 1)], "证件号码", "value_error"),  # wrong check digit
    ([("证件号码", "370402196513200023", 1)], "证件号码", "value_error"),  # 13th month
    ([("与户主关系", "之表哥", 1)], "与户主关系", "value_error"),
    ([("民族", "火星族", 2)], "民族", "value_error"),
    ([("人数", "三", 0)], "人数", "value_error"),
    ([("人数", "4", 0)], "人数", "inconsistent"),
    ([("人均纯收入", "5150.175", 0)], "人均纯收入", "value_error"),
    ([("人均纯收入", "5000.00", 0)], "人均纯收入", "inconsistent"),
    ([("务工时间(月)", "13", 0)], "务工时间(月)", "value_error"),
    ([("务工状况", "国外务工", 0)], "务工状况", "value_error"),
    ([("是否参加大病保险", "也许", 1)], "是否参加大病保险", "value_error"),
    ([("健康状况", "健康、残疾", 1)], "健康状况", "inconsistent"),
    ([("健康状况", "残疾、残疾", 0)], "健康状况", "value_error"),
    ([("性别", "女", 0)], "性别", "inconsistent"),
    ([("出生日期", "1965-02-30", 1)], "出生日期", "value_error"),
    ([("出生日期", "1966-07-20", 1)], "出生日期", "inconsistent"),
    ([("残疾证号", "3704041962", 0)], "残疾证号", "value_error"),
    ([("残疾证号", WIFE_ID + "43", 0)], "残疾证号", "inconsistent"),  # the wife's ID
    ([("残疾等级", "一级", 0)], "残疾等级", "inconsistent"),
    ([("姓名", "", 1)], "姓名", "missing"),
    ([("姓名", '=HYPERLINK("x")', 1)], "姓名", "value_error"),
    ([("脱贫属性", "", 0)], "脱贫属性", "missing"),
    ([("脱贫年度", "", 0)], "脱贫年度", "missing"),
    ([("脱贫年度", "二〇一七", 0)], "脱贫年度", "value_error"),
    ([("贫困户属性", "低保贫困户", 0)], "贫困户属性", "inconsistent"),
    ([("脱贫属性", "未脱贫", 0), ("贫困户属性", "低保贫困户", 0)], "脱贫年度", "value_error"),
    ([("识别年度", "2018", 0)], "脱贫年度", "inconsistent"),
    ([("主要致贫原因", "因穷", 0)], "主要致贫原因", "value_error"),
    ([("其他致贫原因", "因病", 0)], "其他致贫原因", "inconsistent"),
    ([("其他致贫原因", "因残、缺资金、缺技术", 0)], "其他致贫原因", "value_error"),
    ([("工资性收入", "-5", 0)], "工资性收入", "value_error"),
    ([("一次性收入", "99999.00", 0)], "一次性收入", "inconsistent"),
    ([("危房等级", "C级", 0)], "危房等级", "inconsistent"),
    ([("危房等级", "E级", 0)], "危房等级", "value_error"),
    ([("搬迁入住", "是", 0)], "搬迁入住", "inconsistent"),
    ([("是否因贫辍学", "是", 2)], "是否因贫辍学", "inconsistent"),
    ([("行政村代码", "37040410420", 0)], "行政村代码", "value_error"),
    ([("联系电话", "call me", 0)], "联系电话", "value_error"),
    ([("自然村", "东\t庄", 0)], "自然村", "value_error"),  # a control character
    ([("耕地面积(亩)", "一亩半", 0)], "耕地面积(亩)", "value_error"),
]


@pytest.mark.parametrize(("cells", "header", "error_type"), BAD_CELLS)
def test_each_bad_cell_is_one_error_at_its_row_and_column(
    cells: list[tuple[str, str, int]], header: str, error_type: str
) -> None:
    data = sample()
    for column, value, member in cells:
        with_cell(data, column, value, member)
    row_of = {h: data[m][0] if LEVEL[h] is Level.member else 2 for h, _, m in cells}
    expected_row = row_of.get(header, 2)
    (parsed,) = parse_households(data, FULL)
    assert parsed.household is None
    assert [(e.loc, e.type) for e in parsed.errors] == [(("row", expected_row, header), error_type)]
    assert parsed.errors[0].msg  # says why, in Chinese and English


def test_fifteen_digit_id_is_upgraded() -> None:
    data = with_cell(sample(), "证件号码", "370402650720002", 1)  # the wife's old number
    (parsed,) = parse_households(data, FULL)
    assert parsed.errors == ()
    assert parsed.household is not None
    assert parsed.household.members[1].id_number == household().members[1].id_number


def test_errors_are_collected_across_rows_not_raised() -> None:
    data = sample()
    with_cell(data, "与户主关系", "之表哥", 1)
    with_cell(data, "民族", "火星族", 2)
    with_cell(data, "主要致贫原因", "因穷", 0)
    (parsed,) = parse_households(data, FULL)
    assert [e.loc for e in parsed.errors] == [
        ("row", 2, "主要致贫原因"),
        ("row", 3, "与户主关系"),
        ("row", 4, "民族"),
    ]


def test_household_rows_that_disagree_are_an_error_at_the_disagreeing_row() -> None:
    data = sample()
    data[2][1]["主要致贫原因"] = "因残"
    data[1][1]["人均纯收入"] = "5150.18"
    (parsed,) = parse_households(data, FULL)
    assert [(e.loc, e.type) for e in parsed.errors] == [
        (("row", 3, "人均纯收入"), "inconsistent"),
        (("row", 4, "主要致贫原因"), "inconsistent"),
    ]
    assert "第2行" in parsed.errors[0].msg


def test_the_same_value_written_as_code_or_label_agrees() -> None:
    data = sample()
    data[2][1]["主要致贫原因"] = "1"  # 因病's national code
    (parsed,) = parse_households(data, FULL)
    assert parsed.errors == ()


def test_group_rows_takes_consecutive_rows_of_one_household() -> None:
    a = rows(household(), NATIONAL, first_row=2)
    b = rows(household(national_number="H2"), NATIONAL, first_row=5)
    groups = list(group_rows([*a, *b]))
    assert [[n for n, _ in g] for g in groups] == [[2, 3, 4], [5, 6, 7]]


def test_a_household_split_in_two_runs_fails_on_its_size() -> None:
    a = rows(household(), NATIONAL, first_row=2)
    b = rows(household(national_number="H2"), NATIONAL, first_row=4)
    stream = [a[0], a[1], *b, (7, a[2][1])]
    parsed = list(parse_households(stream, NATIONAL))
    assert [p.rows for p in parsed] == [(2, 3), (4, 5, 6), (7,)]
    assert parsed[1].household is not None
    for p in (parsed[0], parsed[2]):
        assert [(e.loc, e.type) for e in p.errors] == [(("row", p.rows[0], "人数"), "inconsistent")]
        assert "consecutive" in p.errors[0].msg


def test_a_row_without_household_number_stands_alone_with_an_error() -> None:
    data = rows(household(), NATIONAL)
    data[1][1]["户编号"] = " "
    parsed = list(parse_households(data, NATIONAL))
    assert [p.rows for p in parsed] == [(2,), (3,), (4,)]
    assert ("row", 3, "户编号") in [e.loc for e in parsed[1].errors]


def test_cells_under_no_header_are_reported() -> None:
    data = sample()
    data[0][1][EXTRA_CELLS] = "备注"
    (parsed,) = parse_households(data, FULL)
    assert [e.loc for e in parsed.errors] == [("row", 2, EXTRA_CELLS)]


def test_a_column_absent_from_the_file_is_unknown_not_an_error() -> None:
    data = sample()
    for _, cells in data:
        del cells["识别年度"], cells["计划生育金"]
    (parsed,) = parse_households(data, FULL)
    assert parsed.errors == ()
    assert parsed.household is not None
    assert parsed.household.identification_year is None
    assert parsed.household.income == household().income  # a missing component is zero
