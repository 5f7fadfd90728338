"""Cell kinds of the exchange files: how one cell's text becomes a typed value and back.

Each kind parses the stripped, non-blank text of a cell and raises `CellError` with a
bilingual message when it cannot; blank cells never reach a kind (the layout turns them
into None, or into a "required" error). `format` is the inverse used on export, so a
formatted value always parses back to itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Protocol

from services.registry.codes.catalog import CODE_LISTS, YES_NO, CodeList, UnknownCode
from shared import idcard


class CellError(ValueError):
    """The cell's text is not a value of its column; the message is shown to the user."""


class Kind(Protocol):
    def parse(self, text: str) -> object: ...

    def format(self, value: object) -> str: ...


# A cell starting with one of these is a formula to Excel (CSV injection). No name or
# number in these files starts so, and refusing them keeps our exports safe to open.
_FORMULA_START = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x1f]")


@dataclass(frozen=True, slots=True)
class Text:
    max_length: int = 64

    def parse(self, text: str) -> str:
        if len(text) > self.max_length:
            raise CellError(
                f"超过{self.max_length}个字符 / longer than {self.max_length} characters"
            )
        if text.startswith(_FORMULA_START):
            raise CellError("不能以 = + - @ 开头 / must not start with = + - @")
        if _CONTROL.search(text):
            raise CellError("含控制字符 / contains a control character")
        return text

    def format(self, value: object) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: str
    expected: str  # what a valid cell looks like, for the message

    def parse(self, text: str) -> str:
        if not re.fullmatch(self.regex, text):
            raise CellError(f"格式应为{self.expected} / expected {self.expected}")
        return text

    def format(self, value: object) -> str:
        return "" if value is None else str(value)


def _lookup(codes: CodeList, text: str) -> str:
    code = _memo(codes.name, text)
    if code is None:
        raise CellError(
            f"不是{codes.zh}的代码或名称: {text!r} / not a code or label of {codes.name}"
        )
    return code


# A file repeats a few dozen distinct values millions of times: remember them (bounded,
# so distinct junk cannot grow memory).
@lru_cache(maxsize=4096)
def _memo(list_name: str, text: str) -> str | None:
    codes = CODE_LISTS[list_name]
    # Files carry either the national code or the Chinese label; no label is numeric, so
    # the two cannot be confused.
    for find in (codes.by_zh, codes.by_national):
        try:
            return find(text).code
        except UnknownCode:
            continue
    return None


@dataclass(frozen=True, slots=True)
class Code:
    codes: CodeList

    def parse(self, text: str) -> str:
        return _lookup(self.codes, text)

    def format(self, value: object) -> str:
        return "" if value is None else self.codes.by_code(str(value)).zh


# Multi-valued cells (健康状况) are written with 、 and arrive with any common separator.
_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
_JOINER = "、"


@dataclass(frozen=True, slots=True)
class Codes:
    codes: CodeList
    max_count: int

    def parse(self, text: str) -> tuple[str, ...]:
        values = tuple(_lookup(self.codes, part) for part in _SEPARATORS.split(text) if part)
        if len(set(values)) != len(values):
            raise CellError(f"{self.codes.zh}有重复项 / a {self.codes.name} value is repeated")
        if len(values) > self.max_count:
            raise CellError(f"至多{self.max_count}项 / at most {self.max_count} values")
        return values

    def format(self, value: object) -> str:
        if not isinstance(value, tuple):
            return ""
        return _JOINER.join(self.codes.by_code(str(v)).zh for v in value)


@dataclass(frozen=True, slots=True)
class YesNo:
    def parse(self, text: str) -> bool:
        return _lookup(YES_NO, text) == "yes"

    def format(self, value: object) -> str:
        return "" if value is None else YES_NO.by_code("yes" if value else "no").zh


# Excel hands whole numbers back as "3.0"; accept that form, nothing looser.
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0+)?$")


@dataclass(frozen=True, slots=True)
class Integer:
    low: int
    high: int

    def parse(self, text: str) -> int:
        if not _INTEGER.match(text):
            raise CellError(f"应为整数: {text!r} / expected a whole number")
        number = int(text.split(".")[0])
        if not self.low <= number <= self.high:
            raise CellError(
                f"应在{self.low}至{self.high}之间 / must be between {self.low} and {self.high}"
            )
        return number

    def format(self, value: object) -> str:
        return "" if value is None else str(value)


_CENT = Decimal("0.01")
_MAX_AMOUNT = Decimal("1e10")  # far above any household figure; stops absurd magnitudes


@dataclass(frozen=True, slots=True)
class Amount:
    """Money in yuan or a measured quantity (mu, m²): at most two decimal places."""

    signed: bool = False

    def parse(self, text: str) -> Decimal:
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise CellError(f"应为数值: {text!r} / expected a number") from None
        if not amount.is_finite() or abs(amount) >= _MAX_AMOUNT:
            raise CellError(f"数值无效: {text!r} / not a usable number")
        if amount != amount.quantize(_CENT):
            raise CellError("至多两位小数 / at most two decimal places")
        if amount < 0 and not self.signed:
            raise CellError("不能为负数 / must not be negative")
        return amount.quantize(_CENT)

    def format(self, value: object) -> str:
        return "" if not isinstance(value, Decimal) else f"{value.quantize(_CENT)}"


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d")


@dataclass(frozen=True, slots=True)
class Date:
    def parse(self, text: str) -> date:
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise CellError(f"日期无效: {text!r} / expected a date such as 1960-03-21")

    def format(self, value: object) -> str:
        return value.isoformat() if isinstance(value, date) else ""


@dataclass(frozen=True, slots=True)
class IdNumber:
    """证件号码: normalised to 18 characters (15-digit numbers upgraded, upper-case X)."""

    def parse(self, text: str) -> str:
        try:
            return idcard.normalize(text)
        except idcard.IdNumberError as exc:
            raise CellError(f"证件号码无效 / invalid ID number: {exc}") from None

    def format(self, value: object) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Certificate:
    """残疾证号: the holder's 18-character ID, a category digit 1–7 and a grade digit 1–4."""

    def parse(self, text: str) -> str:
        text = text.upper()
        if len(text) != 20:
            raise CellError("残疾证号应为20位 / a disability certificate has 20 characters")
        IdNumber().parse(text[:18])
        if text[18] not in "1234567" or text[19] not in "1234":
            raise CellError(
                "残疾证号末两位应为类别1-7和等级1-4 / the last two characters must be a "
                "category 1-7 and a grade 1-4"
            )
        return text

    def format(self, value: object) -> str:
        return "" if value is None else str(value)
