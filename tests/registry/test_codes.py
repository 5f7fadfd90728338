"""The national code lists: expectations are the tables of DOMAIN.md, written out here."""

from __future__ import annotations

import pytest

from services.registry.codes import catalog
from services.registry.codes.catalog import (
    ASSISTANCE_TYPE,
    CODE_LISTS,
    ETHNICITY,
    HOUSE_GRADE,
    HOUSEHOLD_ATTRIBUTE,
    KEY_VILLAGE_DESIGNATION,
    POVERTY_CAUSE,
    POVERTY_STATUS,
    RELATION,
    SCHOOL_STATUS,
    SEX,
    CodeList,
    UnknownCode,
    household_attribute,
    parse_household_attribute,
)
from shared.errors import InvalidInput
from shared.idcard import Sex

# national code -> Chinese label, as DOMAIN.md lists them.
DOMAIN_TABLES: dict[str, dict[str, str]] = {
    "identification_standard": {"01": "国家标准", "02": "省定标准", "03": "市定标准"},
    "poverty_status": {
        "0": "未脱贫",
        "1": "已脱贫(享受政策)",
        "2": "预脱贫",
        "3": "返贫",
        "4": "已脱贫(不再享受政策)",
    },
    "poverty_cause": {
        "1": "因病", "2": "因残", "3": "因学", "4": "因灾", "5": "缺土地", "6": "缺水",
        "7": "缺技术", "8": "缺劳力", "9": "缺资金", "10": "交通条件落后",
        "11": "自身发展动力不足", "12": "因婚", "13": "因丧", "99": "其他",
    },
    "relation": {
        "01": "本人或户主", "02": "配偶", "03": "之子", "04": "之女", "05": "之儿媳",
        "06": "之女婿", "07": "之孙子", "08": "之孙女", "09": "之外孙子", "10": "之外孙女",
        "11": "之父", "12": "之母", "13": "之岳父", "14": "之岳母", "15": "之公公",
        "16": "之婆婆", "17": "之祖父", "18": "之祖母", "19": "之外祖父", "20": "之外祖母",
        "99": "其他",
    },
    "education": {
        "01": "文盲或半文盲", "02": "小学", "03": "初中", "04": "高中", "05": "大专及以上",
        "06": "学龄前儿童",
    },
    "health": {"01": "健康", "02": "长期慢性病", "03": "患有大病", "04": "残疾"},
    "labour": {"01": "普通劳动力", "02": "技能劳动力", "03": "丧失劳动力", "04": "无劳动力"},
    "work_status": {
        "01": "乡(镇)内务工", "02": "乡(镇)外县内务工", "03": "县外省内务工", "04": "省外务工",
        "99": "其他",
    },
    "disability_category": {
        "1": "视力", "2": "听力", "3": "言语", "4": "肢体", "5": "智力", "6": "精神", "7": "多重",
    },
    "household_attribute": {
        "01": "一般贫困户", "04": "低保贫困户", "06": "特困供养贫困户", "07": "低保特困供养贫困户",
        "05": "一般脱贫户", "02": "低保脱贫户", "03": "特困供养脱贫户", "08": "低保特困供养户",
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DOMAIN_TABLES))
def test_list_matches_domain(name: str) -> None:
    code_list = CODE_LISTS[name]
    assert {c.national: c.zh for c in code_list.codes} == DOMAIN_TABLES[name]


def test_school_status_codes() -> None:
    assert SCHOOL_STATUS.values() == (
        "not_in_school", "preschool", "primary", "grade7", "grade8", "grade9",
        "senior1", "senior2", "senior3",
        "vocational_secondary1", "vocational_secondary2", "vocational_secondary3",
        "vocational_higher1", "vocational_higher2", "vocational_higher3",
        "college",
    )  # fmt: skip
    assert [c.national for c in SCHOOL_STATUS.codes] == [f"{n:02d}" for n in range(1, 17)]
    assert SCHOOL_STATUS.by_national("07").zh.startswith("高中")
    assert SCHOOL_STATUS.by_national("10").zh.startswith("中职")
    assert SCHOOL_STATUS.by_national("13").zh.startswith("高职")
    assert SCHOOL_STATUS.by_national("16").zh == "大专及以上"


def test_stable_english_codes_named_in_the_brief() -> None:
    assert POVERTY_STATUS.values() == (
        "not_exited", "exited_supported", "pre_exit", "returned", "exited_unsupported",
    )  # fmt: skip
    assert ASSISTANCE_TYPE.values() == ("general", "dibao", "tekun", "dibao_tekun")
    assert POVERTY_CAUSE.by_code("illness").zh == "因病"
    assert POVERTY_CAUSE.by_code("other").national == "99"
    assert CODE_LISTS["health"].values() == ("healthy", "chronic", "serious_illness", "disabled")
    assert HOUSE_GRADE.values() == ("A", "B", "C", "D")
    assert [(c.code, c.zh) for c in KEY_VILLAGE_DESIGNATION.codes] == [
        ("provincial", "省定"),
        ("city", "市定"),
        ("city_2018", "新认定"),
    ]


def test_sex_codes_agree_with_idcard() -> None:
    assert SEX.by_national("1").code == Sex.male.value
    assert SEX.by_national("2").code == Sex.female.value
    assert SEX.by_zh("女").code == "female"


def test_ethnicity_follows_gb_t_3304() -> None:
    assert len(ETHNICITY.codes) == 58
    assert [c.national for c in ETHNICITY.codes[:56]] == [f"{n:02d}" for n in range(1, 57)]
    assert ETHNICITY.by_national("01").zh == "汉族"
    assert ETHNICITY.by_national("02").zh == "蒙古族"
    assert ETHNICITY.by_national("03").zh == "回族"
    assert ETHNICITY.by_national("04").zh == "藏族"
    assert ETHNICITY.by_national("11").zh == "满族"
    # Files often write the name without 族.
    assert ETHNICITY.by_zh("汉").code == ETHNICITY.by_zh("汉族").code == "han"


def test_every_constant_is_published() -> None:
    constants = {v.name: v for v in vars(catalog).values() if isinstance(v, CodeList)}
    assert constants == CODE_LISTS


@pytest.mark.parametrize("name", sorted(CODE_LISTS))
def test_lookups_round_trip(name: str) -> None:
    code_list = CODE_LISTS[name]
    assert len(set(code_list.values())) == len(code_list.codes)
    for c in code_list.codes:
        assert code_list.by_code(c.code) is c
        assert code_list.by_national(c.national) is c
        assert code_list.by_zh(c.zh) is c
        assert c.code in code_list


def test_national_zero_padding_is_tolerated() -> None:
    assert POVERTY_CAUSE.by_national("01").code == "illness"
    assert RELATION.by_national("1").code == "head"
    assert RELATION.by_national(" 03 ").code == "son"
    assert POVERTY_STATUS.by_national("00").code == "not_exited"
    # Spreadsheets hand numeric cells back as floats.
    assert RELATION.by_national("2.0").code == "spouse"
    assert HOUSE_GRADE.by_national("c").code == "C"


def test_full_width_parentheses_in_labels() -> None:
    assert POVERTY_STATUS.by_zh("已脱贫（享受政策）").code == "exited_supported"
    assert CODE_LISTS["work_status"].by_zh("乡（镇）内务工").code == "in_town"


@pytest.mark.parametrize(
    ("lookup", "value"),
    [("by_code", "sick"), ("by_national", "14"), ("by_zh", "因穷")],
)
def test_unknown_value_is_a_domain_error(lookup: str, value: str) -> None:
    with pytest.raises(UnknownCode) as caught:
        getattr(POVERTY_CAUSE, lookup)(value)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.status == 422
    assert "poverty_cause" in error.detail
    assert value in error.detail
    assert error.extra == {"code_list": "poverty_cause", "value": value}


# (assistance type, exited) -> national 贫困户属性, from DOMAIN.md.
ATTRIBUTES = [
    ("general", False, "01"),
    ("dibao", False, "04"),
    ("tekun", False, "06"),
    ("dibao_tekun", False, "07"),
    ("general", True, "05"),
    ("dibao", True, "02"),
    ("tekun", True, "03"),
    ("dibao_tekun", True, "08"),
]


@pytest.mark.parametrize(("assistance", "exited", "national"), ATTRIBUTES)
def test_household_attribute_derivation(assistance: str, exited: bool, national: str) -> None:
    attribute = household_attribute(assistance, exited)
    assert attribute.national == national
    assert parse_household_attribute(national) == (assistance, exited)
    assert parse_household_attribute(national.lstrip("0")) == (assistance, exited)
    assert parse_household_attribute(attribute.zh) == (assistance, exited)


def test_household_attribute_covers_the_whole_list() -> None:
    assert {n for _, _, n in ATTRIBUTES} == {c.national for c in HOUSEHOLD_ATTRIBUTE.codes}


def test_household_attribute_unknown_values() -> None:
    with pytest.raises(UnknownCode, match="assistance_type"):
        household_attribute("wubao", False)
    with pytest.raises(UnknownCode, match="household_attribute"):
        parse_household_attribute("09")
    with pytest.raises(UnknownCode, match="household_attribute"):
        parse_household_attribute("五保户")


def test_status_helpers() -> None:
    poor = catalog.CURRENTLY_POOR
    assert poor == {"not_exited", "returned"}
    assert catalog.is_exited("exited_supported")
    assert catalog.is_exited("exited_unsupported")
    assert not catalog.is_exited("pre_exit")
    with pytest.raises(UnknownCode):
        catalog.is_exited("gone")
