"""The national code lists (全国扶贫开发信息系统 代码表) with stable English codes.

Our API speaks stable English codes; the national system speaks numeric codes and the
exchange file speaks Chinese labels. Each list here holds all three so that import and
export are a look-up, never a guess. Codes marked "(unverified)" in DOMAIN.md keep the
value most public sources use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.errors import InvalidInput

# Excel hands numeric cells back as "1.0"; the national system pads some lists to two
# digits and not others. Both must find the same code.
_NUMERIC = re.compile(r"^(\d+)(?:\.0+)?$")
# Exported files mix full-width and half-width parentheses, e.g. 乡（镇）内务工.
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "\u3000": " "})


class UnknownCode(InvalidInput):
    """A value that is not in the named code list."""

    def __init__(self, code_list: str, value: str, *, kind: str = "code") -> None:
        super().__init__(
            f"unknown {kind} {value!r} in code list {code_list!r}",
            extra={"code_list": code_list, "value": value},
        )
        self.code_list = code_list
        self.value = value


@dataclass(frozen=True, slots=True)
class Code:
    code: str  # stable English code used in our API, e.g. "illness"
    national: str  # national code as in the national system, e.g. "1" or "01"
    zh: str  # Chinese label, e.g. "因病"


def _national_key(value: str) -> str:
    text = value.strip()
    match = _NUMERIC.match(text)
    return str(int(match.group(1))) if match else text.upper()


def _zh_key(value: str) -> str:
    return "".join(value.translate(_FULLWIDTH).split())


@dataclass(frozen=True)
class CodeList:
    name: str
    zh: str
    codes: tuple[Code, ...]
    # Other labels seen in exported files for the same code: (label, english code).
    aliases: tuple[tuple[str, str], ...] = ()
    _by_code: dict[str, Code] = field(init=False, repr=False, compare=False, hash=False)
    _by_national: dict[str, Code] = field(init=False, repr=False, compare=False, hash=False)
    _by_zh: dict[str, Code] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_code = {c.code: c for c in self.codes}
        by_national = {_national_key(c.national): c for c in self.codes}
        by_zh = {_zh_key(c.zh): c for c in self.codes}
        # A duplicate would make one code unreachable; fail at import, not in production.
        if not len(by_code) == len(by_national) == len(by_zh) == len(self.codes):
            raise ValueError(f"code list {self.name!r} has duplicate entries")
        for label, code in self.aliases:
            by_zh.setdefault(_zh_key(label), by_code[code])
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_national", by_national)
        object.__setattr__(self, "_by_zh", by_zh)

    def by_code(self, code: str) -> Code:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownCode(self.name, code) from None

    def by_national(self, national: str) -> Code:
        try:
            return self._by_national[_national_key(national)]
        except KeyError:
            raise UnknownCode(self.name, national, kind="national code") from None

    def by_zh(self, label: str) -> Code:
        try:
            return self._by_zh[_zh_key(label)]
        except KeyError:
            raise UnknownCode(self.name, label, kind="label") from None

    def values(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code


def _list(
    name: str,
    zh: str,
    rows: list[tuple[str, str, str]],
    aliases: tuple[tuple[str, str], ...] = (),
) -> CodeList:
    return CodeList(name, zh, tuple(Code(*row) for row in rows), aliases)


IDENTIFICATION_STANDARD = _list(  # 识别标准
    "identification_standard",
    "识别标准",
    [("national", "01", "国家标准"), ("provincial", "02", "省定标准"), ("city", "03", "市定标准")],
)

# 救助类型: not a national list of its own; it is the half of 贫困户属性 that is not status.
# Its "national" code is the attribute code of a household that has not exited.
ASSISTANCE_TYPE = _list(
    "assistance_type",
    "救助类型",
    [
        ("general", "01", "一般"),
        ("dibao", "04", "低保"),
        ("tekun", "06", "特困供养"),
        ("dibao_tekun", "07", "低保特困供养"),
    ],
)

HOUSEHOLD_ATTRIBUTE = _list(  # 贫困户属性
    "household_attribute",
    "贫困户属性",
    [
        ("general_poor", "01", "一般贫困户"),
        ("dibao_poor", "04", "低保贫困户"),
        ("tekun_poor", "06", "特困供养贫困户"),
        ("dibao_tekun_poor", "07", "低保特困供养贫困户"),
        ("general_exited", "05", "一般脱贫户"),
        ("dibao_exited", "02", "低保脱贫户"),
        ("tekun_exited", "03", "特困供养脱贫户"),
        ("dibao_tekun_exited", "08", "低保特困供养户"),
    ],
    aliases=(("低保特困供养脱贫户", "dibao_tekun_exited"),),
)

POVERTY_STATUS = _list(  # 脱贫状态; currently poor = not_exited or returned
    "poverty_status",
    "脱贫状态",
    [
        ("not_exited", "0", "未脱贫"),
        ("exited_supported", "1", "已脱贫(享受政策)"),
        ("pre_exit", "2", "预脱贫"),
        ("returned", "3", "返贫"),
        ("exited_unsupported", "4", "已脱贫(不再享受政策)"),
    ],
    aliases=(("已脱贫", "exited_supported"), ("脱贫", "exited_supported")),
)
CURRENTLY_POOR = frozenset({"not_exited", "returned"})
EXITED = frozenset({"exited_supported", "exited_unsupported"})

POVERTY_CAUSE = _list(  # 致贫原因
    "poverty_cause",
    "致贫原因",
    [
        ("illness", "1", "因病"),
        ("disability", "2", "因残"),
        ("education", "3", "因学"),
        ("disaster", "4", "因灾"),
        ("lack_land", "5", "缺土地"),
        ("lack_water", "6", "缺水"),
        ("lack_skills", "7", "缺技术"),
        ("lack_labour", "8", "缺劳力"),
        ("lack_funds", "9", "缺资金"),
        ("poor_transport", "10", "交通条件落后"),
        ("lack_motivation", "11", "自身发展动力不足"),
        ("marriage", "12", "因婚"),
        ("funeral", "13", "因丧"),
        ("other", "99", "其他"),  # national code unverified; 99 is what public code uses
    ],
)

RELATION = _list(  # 与户主关系
    "relation",
    "与户主关系",
    [
        ("head", "01", "本人或户主"),
        ("spouse", "02", "配偶"),
        ("son", "03", "之子"),
        ("daughter", "04", "之女"),
        ("daughter_in_law", "05", "之儿媳"),
        ("son_in_law", "06", "之女婿"),
        ("grandson", "07", "之孙子"),
        ("granddaughter", "08", "之孙女"),
        ("daughters_son", "09", "之外孙子"),  # 外孙: a daughter's child
        ("daughters_daughter", "10", "之外孙女"),
        ("father", "11", "之父"),
        ("mother", "12", "之母"),
        ("wifes_father", "13", "之岳父"),  # 岳父: the wife's father
        ("wifes_mother", "14", "之岳母"),
        ("husbands_father", "15", "之公公"),  # 公公: the husband's father
        ("husbands_mother", "16", "之婆婆"),
        ("grandfather", "17", "之祖父"),
        ("grandmother", "18", "之祖母"),
        ("maternal_grandfather", "19", "之外祖父"),
        ("maternal_grandmother", "20", "之外祖母"),
        ("other", "99", "其他"),
    ],
    aliases=(("户主", "head"), ("本人", "head")),
)
# Relations that name the member's own sex; the quality rules check them against it.
# fmt: off
MALE_RELATIONS = frozenset({
    "son", "son_in_law", "grandson", "daughters_son", "father", "wifes_father",
    "husbands_father", "grandfather", "maternal_grandfather",
})
FEMALE_RELATIONS = frozenset({
    "daughter", "daughter_in_law", "granddaughter", "daughters_daughter", "mother",
    "wifes_mother", "husbands_mother", "grandmother", "maternal_grandmother",
})
# fmt: on

EDUCATION = _list(  # 文化程度
    "education",
    "文化程度",
    [
        ("illiterate", "01", "文盲或半文盲"),
        ("primary", "02", "小学"),
        ("junior_high", "03", "初中"),
        ("senior_high", "04", "高中"),
        ("college", "05", "大专及以上"),
        ("preschool_child", "06", "学龄前儿童"),
    ],
)

_GRADES = ("一", "二", "三")
SCHOOL_STATUS = _list(  # 在校生状况
    "school_status",
    "在校生状况",
    [
        ("not_in_school", "01", "非在校生"),
        ("preschool", "02", "学前教育"),
        ("primary", "03", "小学"),
        ("grade7", "04", "七年级"),
        ("grade8", "05", "八年级"),
        ("grade9", "06", "九年级"),
        *[(f"senior{i + 1}", f"{7 + i:02d}", f"高中{g}年级") for i, g in enumerate(_GRADES)],
        *[
            (f"vocational_secondary{i + 1}", f"{10 + i:02d}", f"中职{g}年级")
            for i, g in enumerate(_GRADES)
        ],
        *[
            (f"vocational_higher{i + 1}", f"{13 + i:02d}", f"高职{g}年级")
            for i, g in enumerate(_GRADES)
        ],
        ("college", "16", "大专及以上"),
    ],
)
# "Senior high or above" and "primary or below" as the age rules use them.
SENIOR_HIGH_OR_ABOVE = frozenset(SCHOOL_STATUS.values()[6:])
PRIMARY_OR_BELOW = frozenset({"preschool", "primary"})
IN_SCHOOL = frozenset(SCHOOL_STATUS.values()[1:])

HEALTH = _list(  # 健康状况; several may apply to one person
    "health",
    "健康状况",
    [
        ("healthy", "01", "健康"),
        ("chronic", "02", "长期慢性病"),
        ("serious_illness", "03", "患有大病"),
        ("disabled", "04", "残疾"),
    ],
    aliases=(("大病", "serious_illness"), ("慢性病", "chronic")),
)
ILL = frozenset({"chronic", "serious_illness"})

LABOUR = _list(  # 劳动技能
    "labour",
    "劳动技能",
    [
        ("ordinary", "01", "普通劳动力"),
        ("skilled", "02", "技能劳动力"),
        ("incapacitated", "03", "丧失劳动力"),
        ("no_labour", "04", "无劳动力"),
    ],
)
NO_LABOUR_ABILITY = frozenset({"incapacitated", "no_labour"})

WORK_STATUS = _list(  # 务工状况
    "work_status",
    "务工状况",
    [
        ("in_town", "01", "乡(镇)内务工"),
        ("in_county", "02", "乡(镇)外县内务工"),
        ("in_province", "03", "县外省内务工"),
        ("out_of_province", "04", "省外务工"),
        ("other", "99", "其他"),
    ],
)
# Working away for wages; "other" is not evidence of a wage job.
MIGRANT_WORK = frozenset({"in_town", "in_county", "in_province", "out_of_province"})

# GB/T 3304 order: (English code, name without the 族 suffix); codes 01–56.
# fmt: off
_ETHNIC_GROUPS: tuple[tuple[str, str], ...] = (
    ("han", "汉"), ("mongol", "蒙古"), ("hui", "回"), ("tibetan", "藏"), ("uyghur", "维吾尔"),
    ("miao", "苗"), ("yi", "彝"), ("zhuang", "壮"), ("buyei", "布依"), ("korean", "朝鲜"),
    ("manchu", "满"), ("dong", "侗"), ("yao", "瑶"), ("bai", "白"), ("tujia", "土家"),
    ("hani", "哈尼"), ("kazakh", "哈萨克"), ("dai", "傣"), ("li", "黎"), ("lisu", "傈僳"),
    ("va", "佤"), ("she", "畲"), ("gaoshan", "高山"), ("lahu", "拉祜"), ("sui", "水"),
    ("dongxiang", "东乡"), ("naxi", "纳西"), ("jingpo", "景颇"), ("kyrgyz", "柯尔克孜"),
    ("tu", "土"), ("daur", "达斡尔"), ("mulao", "仫佬"), ("qiang", "羌"), ("blang", "布朗"),
    ("salar", "撒拉"), ("maonan", "毛南"), ("gelao", "仡佬"), ("xibe", "锡伯"),
    ("achang", "阿昌"), ("pumi", "普米"), ("tajik", "塔吉克"), ("nu", "怒"),
    ("uzbek", "乌孜别克"), ("russian", "俄罗斯"), ("evenk", "鄂温克"), ("deang", "德昂"),
    ("bonan", "保安"), ("yugur", "裕固"), ("gin", "京"), ("tatar", "塔塔尔"),
    ("derung", "独龙"), ("oroqen", "鄂伦春"), ("hezhen", "赫哲"), ("monba", "门巴"),
    ("lhoba", "珞巴"), ("jino", "基诺"),
)
# fmt: on
ETHNICITY = _list(  # 民族, GB/T 3304 order; vendors' orders differ, so map at the interface
    "ethnicity",
    "民族",
    [
        *[(code, f"{i + 1:02d}", f"{name}族") for i, (code, name) in enumerate(_ETHNIC_GROUPS)],
        ("other", "97", "其他"),
        ("foreign_origin", "98", "外国血统中国籍人士"),
    ],
    # Exported files often drop the 族 suffix ("汉", "蒙古").
    aliases=tuple((name, code) for code, name in _ETHNIC_GROUPS),
)

_DISABILITY_CATEGORIES = (
    ("visual", "1", "视力"),
    ("hearing", "2", "听力"),
    ("speech", "3", "言语"),
    ("physical", "4", "肢体"),
    ("intellectual", "5", "智力"),
    ("mental", "6", "精神"),
    ("multiple", "7", "多重"),
)
DISABILITY_CATEGORY = _list(  # 残疾类别: the 19th character of a disability certificate
    "disability_category",
    "残疾类别",
    list(_DISABILITY_CATEGORIES),
    # Certificates and files also write the full name, e.g. 肢体残疾.
    aliases=tuple((f"{zh}残疾", code) for code, _, zh in _DISABILITY_CATEGORIES),
)

DISABILITY_GRADE = _list(  # 残疾等级: the 20th character; 1 is the most severe
    "disability_grade",
    "残疾等级",
    [
        ("grade1", "1", "一级"),
        ("grade2", "2", "二级"),
        ("grade3", "3", "三级"),
        ("grade4", "4", "四级"),
    ],
)

HOUSE_GRADE = _list(  # 危房等级; C and D are the renovation targets
    "house_grade",
    "危房等级",
    [("A", "A", "A级"), ("B", "B", "B级"), ("C", "C", "C级"), ("D", "D", "D级")],
)
DANGEROUS_HOUSE = frozenset({"C", "D"})

SEX = _list("sex", "性别", [("male", "1", "男"), ("female", "2", "女")])  # 性别, GB/T 2261.1

KEY_VILLAGE_DESIGNATION = _list(  # 重点村认定: local codes, not a national list
    "key_village_designation",
    "重点村认定",
    [("provincial", "1", "省定"), ("city", "2", "市定"), ("city_2018", "3", "新认定")],
)

YES_NO = _list("yes_no", "是否", [("yes", "1", "是"), ("no", "0", "否")])  # the file's 是/否

CODE_LISTS: dict[str, CodeList] = {
    cl.name: cl
    for cl in (
        IDENTIFICATION_STANDARD,
        ASSISTANCE_TYPE,
        HOUSEHOLD_ATTRIBUTE,
        POVERTY_STATUS,
        POVERTY_CAUSE,
        RELATION,
        EDUCATION,
        SCHOOL_STATUS,
        HEALTH,
        LABOUR,
        WORK_STATUS,
        ETHNICITY,
        DISABILITY_CATEGORY,
        DISABILITY_GRADE,
        HOUSE_GRADE,
        SEX,
        KEY_VILLAGE_DESIGNATION,
        YES_NO,
    )
}

# assistance type -> (attribute while poor, attribute once exited)
_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "general": ("general_poor", "general_exited"),
    "dibao": ("dibao_poor", "dibao_exited"),
    "tekun": ("tekun_poor", "tekun_exited"),
    "dibao_tekun": ("dibao_tekun_poor", "dibao_tekun_exited"),
}


def household_attribute(assistance_type: str, exited: bool) -> Code:
    """The national 贫困户属性 for an assistance type and whether the household exited."""
    ASSISTANCE_TYPE.by_code(assistance_type)  # raises UnknownCode naming the list
    poor, gone = _ATTRIBUTES[assistance_type]
    return HOUSEHOLD_ATTRIBUTE.by_code(gone if exited else poor)


def parse_household_attribute(national_or_zh: str) -> tuple[str, bool]:
    """(assistance type, exited) from a national attribute code or its Chinese label."""
    text = national_or_zh.strip()
    try:
        attr = HOUSEHOLD_ATTRIBUTE.by_national(text)
    except UnknownCode:
        attr = HOUSEHOLD_ATTRIBUTE.by_zh(text)
    for assistance, (poor, gone) in _ATTRIBUTES.items():
        if attr.code in (poor, gone):
            return assistance, attr.code == gone
    raise AssertionError(f"attribute {attr.code} missing from the assistance map")


def is_exited(status: str) -> bool:
    """Whether a 脱贫状态 code means the household has exited (with or without policies)."""
    return POVERTY_STATUS.by_code(status).code in EXITED
