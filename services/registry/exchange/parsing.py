"""Rows of an exchange file → households, collecting every error instead of raising.

A household's rows are consecutive (the national file is sorted by 户编号), so grouping
holds one household at a time: memory does not grow with the file. A household split
into two runs shows up as two households whose 人数 disagrees with their row count.
Checks here are those the layout itself implies (a cell is a valid value; household cells
agree across rows; 人数, 贫困户属性, 脱贫年度, income and certificate cohere). The national
data-quality rules over the members (one head, ages and school, …) are
`services.registry.households.quality`'s, run by the service on the parsed household.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from services.registry.codes.catalog import (
    DANGEROUS_HOUSE,
    DISABILITY_CATEGORY,
    DISABILITY_GRADE,
    EXITED,
    HOUSEHOLD_ATTRIBUTE,
    parse_household_attribute,
)
from services.registry.exchange.cells import CellError, Code, Codes, Integer, YesNo
from services.registry.exchange.layouts import (
    EXTRA_CELLS,
    FULL_ONLY_COLUMNS,
    HOUSEHOLD_NUMBER,
    Column,
    Layout,
)
from services.registry.exchange.records import ExchangeHousehold, ExchangeMember
from services.registry.households.quality import (
    IncomeComponents,
    net_income,
    per_capita_net_income,
)
from shared import idcard
from shared.errors import FieldError

Row = tuple[int, Mapping[str, str]]
_INCOME = "income."
_INCOME_HEADERS = frozenset(c.header for c in FULL_ONLY_COLUMNS if c.field.startswith(_INCOME))
_INCOME_FIELDS = tuple(
    (c.field, c.field.removeprefix(_INCOME))
    for c in FULL_ONLY_COLUMNS
    if c.field.startswith(_INCOME)
)


@dataclass(frozen=True, slots=True)
class ParsedHousehold:
    """One household's rows: the household when they are clean, otherwise their errors."""

    rows: tuple[int, ...]
    household: ExchangeHousehold | None
    errors: tuple[FieldError, ...]


def group_rows(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Consecutive rows with the same 户编号; a row without one stands alone."""
    group: list[Row] = []
    key = ""
    for row in rows:
        number = row[1].get(HOUSEHOLD_NUMBER, "").strip()
        if group and (not number or number != key):
            yield group
            group = []
        group.append(row)
        key = number
    if group:
        yield group


def parse_households(rows: Iterable[Row], layout: Layout) -> Iterator[ParsedHousehold]:
    memo = Memo()
    for group in group_rows(rows):
        yield parse_group(group, layout, memo)


# A parsed cell: its value, or None and the message of why it is not one.
_Parsed = tuple[Any, str | None]


class Memo:
    """The columns' parsing steps and parsed coded cells, for one file.

    Coded columns (codes, 是/否, small whole numbers) repeat a few dozen texts over and
    over: each is parsed once. Every cell kind is a pure function of the text, so a
    remembered value or error is what parsing again would give. Each column remembers at
    most `LIMIT` texts, and columns of free text, amounts, dates and ID numbers none, so
    memory does not grow with the file.
    """

    LIMIT = 256

    def __init__(self) -> None:
        self._plans: dict[int, tuple[_Step, ...]] = {}

    def plan(self, columns: tuple[Column, ...]) -> tuple[_Step, ...]:
        """The columns as steps with everything a cell needs looked up once per file."""
        steps = self._plans.get(id(columns))
        if steps is None:
            steps = tuple(
                _Step(
                    c.header,
                    c.field,
                    c.required,
                    _blank(c),
                    {} if isinstance(c.kind, _CODED) else None,
                    c.kind.parse,
                )
                for c in columns
            )
            self._plans[id(columns)] = steps
        return steps

    @classmethod
    def parse(cls, step: _Step, text: str) -> _Parsed:
        try:
            parsed: _Parsed = (step.parse(text), None)
        except CellError as exc:
            parsed = (step.blank, str(exc))
        cache = step.cache
        if cache is not None and len(cache) < cls.LIMIT:
            cache[text] = parsed
        return parsed


_CODED = (Code, Codes, YesNo, Integer)


@dataclass(frozen=True, slots=True)
class _Step:
    header: str
    field: str
    required: bool
    blank: Any
    cache: dict[str, _Parsed] | None  # None: the column's texts do not repeat
    parse: Callable[[str], object]


def _blank(col: Column) -> Any:
    return () if isinstance(col.kind, Codes) else None


class _Cells:
    """One row's cells, parsed column by column; failures go to the shared error list."""

    __slots__ = ("cells", "errors", "failed", "memo", "number")

    def __init__(
        self, number: int, cells: Mapping[str, str], errors: list[FieldError], memo: Memo
    ) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors
        self.memo = memo
        self.failed: set[str] = set()

    def error(self, header: str, msg: str, type_: str = "value_error") -> None:
        self.failed.add(header)
        self.errors.append(FieldError(("row", self.number, header), msg, type_))

    def values(
        self,
        columns: tuple[Column, ...],
        same_as: _Cells | None = None,
        known: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Parse the columns; a cell whose text equals `same_as`'s reuses its value.

        A repeated bad household value is so reported once, at the household's first row.
        """
        out: dict[str, Any] = {}
        get = self.cells.get
        first = same_as.cells if same_as is not None and known is not None else None
        for step in self.memo.plan(columns):
            header = step.header
            text = get(header, "").strip()
            if first is not None and known is not None and text == first.get(header, "").strip():
                out[step.field] = known[step.field]
                continue
            if not text:
                if step.required:
                    self.error(header, "必填 / required", "missing")
                out[step.field] = step.blank
                continue
            cache = step.cache
            parsed = (cache.get(text) if cache is not None else None) or Memo.parse(step, text)
            if parsed[1] is not None:
                self.error(header, parsed[1])
            out[step.field] = parsed[0]
        return out


def parse_group(group: list[Row], layout: Layout, memo: Memo | None = None) -> ParsedHousehold:
    """Parse one household's rows (as `group_rows` yields them)."""
    memo = memo if memo is not None else Memo()
    errors: list[FieldError] = []
    first: _Cells | None = None
    household: dict[str, Any] = {}
    first_texts: tuple[str | None, ...] = ()
    members: list[ExchangeMember] = []
    headers = layout.household_headers
    for number, cells in group:
        row = _Cells(number, cells, errors, memo)
        if cells.get(EXTRA_CELLS):
            row.error(
                EXTRA_CELLS, f"表头之外有内容: {cells[EXTRA_CELLS]!r} / cells under no header"
            )
        # Household cells repeat on every row: a row whose household cells are the first
        # row's, text for text, has nothing to parse or compare; otherwise only the cells
        # that differ are parsed.
        if first is None:
            first, household = row, row.values(layout.household_columns)
            first_texts = tuple(map(cells.get, headers))
        elif tuple(map(cells.get, headers)) != first_texts:
            values = row.values(layout.household_columns, first, household)
            _compare(first, row, values, household, layout)
        member = _member(row, row.values(layout.member_columns))
        if member is not None:
            members.append(member)
    assert first is not None, "group_rows never yields an empty group"
    built = _household(first, household, members, len(group))
    if built is None:
        return ParsedHousehold(tuple(n for n, _ in group), None, tuple(errors))
    return ParsedHousehold(built.source_rows, built, ())


def _compare(
    first: _Cells, row: _Cells, values: dict[str, Any], expected: dict[str, Any], layout: Layout
) -> None:
    for col in layout.household_columns:
        if col.header in first.failed or col.header in row.failed:
            continue
        if values[col.field] != expected[col.field]:
            row.error(
                col.header,
                f"与本户第{first.number}行不一致: {row.cells.get(col.header, '')!r} vs "
                f"{first.cells.get(col.header, '')!r} / differs from row {first.number} of the "
                "same household",
                "inconsistent",
            )


def _member(row: _Cells, v: dict[str, Any]) -> ExchangeMember | None:
    id_number = v["id_number"]
    if id_number is not None:
        from_id = {"sex": idcard.sex(id_number).value, "birth_date": idcard.birth_date(id_number)}
        for key, header in (("sex", "性别"), ("birth_date", "出生日期")):
            if v.get(key) is not None and v[key] != from_id[key]:
                row.error(header, "与证件号码不符 / does not match the ID number", "inconsistent")
        v.update(from_id)
    certificate = v.get("disability_certificate")
    if certificate is not None:
        if id_number is not None and certificate[:18] != id_number:
            row.error("残疾证号", "不是本人证件号码 / not this member's ID number", "inconsistent")
        implied = {
            "disability_category": DISABILITY_CATEGORY.by_national(certificate[18]).code,
            "disability_grade": DISABILITY_GRADE.by_national(certificate[19]).code,
        }
        for key, header in (("disability_category", "残疾类别"), ("disability_grade", "残疾等级")):
            if v.get(key) is not None and v[key] != implied[key]:
                row.error(header, "与残疾证号不符 / does not match the certificate", "inconsistent")
        v.update(implied)
    if "healthy" in v["health"] and len(v["health"]) > 1:
        row.error(
            "健康状况", "健康不能与疾病或残疾并列 / 健康 alongside a condition", "inconsistent"
        )
    if v.get("dropout_for_poverty") and v.get("dropped_out") is False:
        row.error("是否因贫辍学", "未辍学却因贫辍学 / dropout reason without a dropout",
                  "inconsistent")  # fmt: skip
    if row.failed:
        return None
    return ExchangeMember(**v, source_row=row.number)


def _household(
    first: _Cells, v: dict[str, Any], members: list[ExchangeMember], row_count: int
) -> ExchangeHousehold | None:
    size = v.pop("size")
    if size is not None and size != row_count:
        first.error(
            "人数",
            f"人数为{size}，本户连续行数为{row_count} / size {size} but the household has "
            f"{row_count} consecutive rows (a household's rows must be consecutive)",
            "inconsistent",
        )
    status, attribute = v["status"], v.pop("attribute")
    if attribute is not None:
        national = HOUSEHOLD_ATTRIBUTE.by_code(attribute).national
        v["assistance_type"], attribute_exited = parse_household_attribute(national)
        if status is not None and attribute_exited != (status in EXITED):
            first.error("贫困户属性", "与脱贫属性不符 / disagrees with the poverty status",
                        "inconsistent")  # fmt: skip
    if status in EXITED and v["exit_year"] is None and "脱贫年度" not in first.failed:
        first.error("脱贫年度", "已脱贫户须填脱贫年度 / required once exited", "missing")
    if status == "not_exited" and v["exit_year"] is not None:
        first.error("脱贫年度", "未脱贫户不应有脱贫年度 / not exited, so no exit year")
    identified, exited_in = v.get("identification_year"), v["exit_year"]
    if identified is not None and exited_in is not None and exited_in < identified:
        first.error("脱贫年度", "早于识别年度 / before the identification year", "inconsistent")
    if v["main_cause"] is not None and v["main_cause"] in v.get("other_causes", ()):
        first.error("其他致贫原因", "与主要致贫原因重复 / repeats the main cause", "inconsistent")
    _income(first, v, size if size == row_count else None)
    grade, dangerous = v.get("house_grade"), v["dangerous_house"]
    if grade is not None and dangerous is not None and (grade in DANGEROUS_HOUSE) != dangerous:
        first.error("危房等级", "与危房户不符 / disagrees with 危房户", "inconsistent")
    if v.get("relocated_moved_in") and v.get("relocation") is False:
        first.error("搬迁入住", "非搬迁户不应有搬迁入住 / not a relocation household",
                    "inconsistent")  # fmt: skip
    if first.errors:  # the group's shared list: an error in any row refuses the household
        return None
    rows = tuple(m.source_row or first.number for m in members)
    return ExchangeHousehold(**v, members=tuple(members), source_rows=rows)


def _income(first: _Cells, v: dict[str, Any], size: int | None) -> None:
    """Income components, when the file has any, must give the stated per-capita income."""
    parts = {name: v.pop(key) for key, name in _INCOME_FIELDS if key in v}
    if all(p is None for p in parts.values()):
        return  # no component in the file: per-capita income stands on its own
    # A blank component beside filled ones is zero, as on the national survey form.
    income = IncomeComponents(**{k: p for k, p in parts.items() if p is not None})
    v["income"] = income
    if first.failed & _INCOME_HEADERS:
        return  # a component is unreadable; its own error says so
    one_off = v.get("one_off_income")
    if one_off is not None and one_off > net_income(income) + income.operating_expenses:
        first.error("一次性收入", "大于总收入 / more than the gross income", "inconsistent")
    if size is None or v["per_capita_net_income"] is None:
        return
    computed = per_capita_net_income(income, size)
    if computed != v["per_capita_net_income"]:
        first.error(
            "人均纯收入",
            f"与收入构成算得的{computed}不符 / does not match {computed} computed from the "
            "income components",
            "inconsistent",
        )
