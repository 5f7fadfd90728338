"""One imported household merged with what is stored: the rows to stage, or its errors.

A column the file does not carry keeps the stored value (or the registry's default for a
new household); a column it carries, even blank, is what the file says. Matching on
re-import: the household by 户编号, each member by 人编号, else by ID number; stored
members the file no longer lists leave the household (人口减少, reason "other").

Choices where the national file says less than the registry keeps (DOMAIN.md):
- No income components (national layout): a year already recorded keeps its components
  and the file's 人均纯收入 must agree with them; a year not yet recorded stores the net
  income unitemised as other transfer income, with the warning `income.unitemised`.
- 危房户 without 危房等级: a stored grade that agrees stays; otherwise C (dangerous) or none.
- A new household without 识别标准/识别年度: 省定标准, identified in its exit year or the
  data year, whichever is earlier.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson

from services.registry.codes.catalog import DANGEROUS_HOUSE
from services.registry.exchange import tables
from services.registry.exchange.quality_map import CheckedMember, HouseholdFacts, run_rules
from services.registry.exchange.records import ExchangeHousehold, ExchangeMember
from services.registry.exchange.stored import Directory, StoredHousehold, StoredMember
from services.registry.households.quality import IncomeComponents, MemberCheck
from services.registry.households.quality import per_capita_net_income as per_capita
from shared.auth import Principal
from shared.errors import FieldError
from shared.idcard import IdCipher, mask

COUNTY_NAME = "峄城区"
RULE_UNITEMISED = "income.unitemised"
_ZERO = Decimal(0)
_YEAR_DEFAULTS: dict[str, Any] = {
    "drinking_water_safe": True, "drinking_water_difficult": False, "relocation": False,
    "relocated_moved_in": False, "food_secure": True, "clothing_secure": True,
    "expenditure_poverty": False,
}  # fmt: skip
_MEMBER_YEAR_DEFAULTS: dict[str, Any] = {
    "dropped_out": False, "dropout_for_poverty": False, "basic_medical_insured": True,
    "critical_illness_insured": True, "commercial_insured": False, "pension_insured": False,
    "dibao": False, "tekun": False, "active_soldier": False,
}  # fmt: skip
_INCOME_COLUMNS = (
    ("wage_income", "wage"), ("operating_income", "operating"),
    ("property_income", "property"), ("family_planning_income", "family_planning"),
    ("dibao_income", "dibao"), ("tekun_income", "tekun"), ("pension_income", "pension"),
    ("ecological_income", "ecological"), ("other_transfer_income", "other_transfer"),
    ("operating_expenses", "operating_expenses"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Context:
    directory: Directory
    present: frozenset[str]  # the file's headers
    year: int
    cipher: IdCipher
    principal: Principal


@dataclass(slots=True)
class Planned:
    action: str  # create | update | unchanged
    household: tuple[Any, ...]  # tables.HOUSEHOLD + HOUSEHOLD_EXTRA
    year: tuple[Any, ...]  # tables.YEAR + changed
    members: list[tuple[Any, ...]]  # tables.MEMBER + row, is_new, changed
    member_years: list[tuple[Any, ...]]  # tables.MEMBER_YEAR + changed
    warnings: list[tuple[Any, ...]]  # tables.WARNING
    persons: dict[str, int] = field(default_factory=dict)  # created/updated/unchanged/left


def _err(row: int, header: str, msg: str, type_: str = "value_error") -> FieldError:
    return FieldError(("row", row, header), msg, type_)


def _pick(ctx: Context, header: str, value: Any, stored: Any, default: Any = None) -> Any:
    """The file's value when it has the column, else the stored one, else the default."""
    if header in ctx.present:
        return value
    return stored if stored is not None else default


def _flag(value: bool | None, stored: Any, default: bool) -> bool:
    """Yes/no facts cannot be null: a blank cell keeps what is stored."""
    if value is not None:
        return value
    return bool(stored) if stored is not None else default


def merge(h: ExchangeHousehold, stored: StoredHousehold | None, ctx: Context) -> Planned | list[FieldError]:  # fmt: skip
    first = min(h.source_rows) if h.source_rows else 0
    errors: list[FieldError] = []
    village = _village(h, ctx, first, errors)
    for m in h.members:
        if m.id_number is None:
            errors.append(_err(m.source_row or first, "证件号码", "导入须有证件号码 / an ID number is required to import a member", "missing"))  # fmt: skip
    if village is None or errors:
        return errors
    s = dict(zip(tables.HOUSEHOLD, stored.row, strict=True)) if stored else {}
    household_id = stored.id if stored else uuid.uuid4()
    year = ctx.year
    exit_year = h.exit_year
    ident_year = h.identification_year or s.get("identification_year")
    if ident_year is None:
        ident_year = min(exit_year, year) if exit_year is not None else year
    if exit_year is not None and exit_year < ident_year:
        errors.append(_err(first, "脱贫年度", f"早于识别年度{ident_year} / before the identification year", "inconsistent"))  # fmt: skip
    stored_causes = s.get("other_causes") or []
    other_causes = (
        list(h.other_causes)
        if "其他致贫原因" in ctx.present
        else [c for c in stored_causes if c != h.main_cause]
    )
    household = (
        household_id, h.national_number, village[0], village[1],
        _pick(ctx, "自然村", h.natural_village, s.get("natural_village")),
        h.identification_standard or s.get("identification_standard") or "provincial",
        ident_year, h.assistance_type, h.status, exit_year, h.main_cause, other_causes,
        _pick(ctx, "联系电话", h.phone, s.get("phone")),
    )  # fmt: skip
    by_number = {m.row[2]: m for m in (stored.members if stored else []) if m.row[2]}
    by_hash = {m.row[5]: m for m in (stored.members if stored else [])}
    used: set[uuid.UUID] = set()
    members, member_years, checked = [], [], []
    persons = {"created": 0, "updated": 0, "unchanged": 0, "left": 0}
    for m in h.members:
        built = _member(m, household_id, by_number, by_hash, used, ctx, errors)
        if built is None:
            continue
        row, year_row, check, state = built
        members.append(row)
        member_years.append(year_row)
        checked.append(CheckedMember(row[0], row[12], check))
        persons[state] += 1
    left = [m for m in (stored.members if stored else []) if m.id not in used]
    persons["left"] = len(left)
    year_row, facts, kept = _year(
        h, stored, ctx, (household_id, len(h.members), first, tuple(other_causes)), errors
    )
    if errors:
        return errors
    rule_errors, findings = run_rules(facts, checked, first, ctx.present)
    if rule_errors:
        return rule_errors
    kept += findings
    year_changed = stored is None or stored.year_row is None or tuple(year_row) != stored.year_row
    household_changed = stored is None or household != stored.row
    member_changed = any(r[-1] for r in members) or any(r[-1] for r in member_years)
    action = (
        "create" if stored is None
        else "update" if household_changed or year_changed or member_changed or left
        else "unchanged"
    )  # fmt: skip
    moved_from = s["village_code"] if stored and s["village_code"] != village[0] else None
    before, after = _audit(household, s, action, members, left, year_changed, year)
    return Planned(
        action,
        (*household, first, action, moved_from, before, after),
        (*tables.staged_year(year_row), year_changed),
        members,
        member_years,
        [(household_id, year, *k) for k in kept],
        persons,
    )


def _village(
    h: ExchangeHousehold, ctx: Context, first: int, errors: list[FieldError]
) -> tuple[str, str] | None:
    if h.county != COUNTY_NAME:
        errors.append(_err(first, "县(市、区)", f"不是{COUNTY_NAME} / not {COUNTY_NAME}"))
        return None
    if h.village_code is not None:
        entry = ctx.directory.by_code.get(h.village_code)
        if entry is None:
            errors.append(_err(first, "行政村代码", "没有这个行政村 / no such village"))
            return None
        if (entry.town_name, entry.name) != (h.town, h.village):
            errors.append(_err(first, "行政村", f"与行政村代码不符（应为{entry.town_name}{entry.name}） / does not name village {entry.code}", "inconsistent"))  # fmt: skip
            return None
    else:
        found = ctx.directory.by_name.get((h.town, h.village), [])
        if len(found) != 1:
            errors.append(_err(first, "行政村", f"{h.town}没有行政村{h.village} / no such village in {h.town}"))  # fmt: skip
            return None
        entry = found[0]
    if not ctx.principal.covers(entry.code):
        errors.append(_err(first, "行政村", "不在您的辖区 / outside your area"))
        return None
    return entry.code, entry.town_code


def _member(
    m: ExchangeMember,
    household_id: uuid.UUID,
    by_number: dict[str, StoredMember],
    by_hash: dict[bytes, StoredMember],
    used: set[uuid.UUID],
    ctx: Context,
    errors: list[FieldError],
) -> tuple[tuple[Any, ...], tuple[Any, ...], MemberCheck, str] | None:
    id18 = m.id_number
    assert id18 is not None and m.sex is not None and m.birth_date is not None
    digest = ctx.cipher.lookup_hash(id18)
    match = by_number.get(m.national_number) if m.national_number else None
    if match is None or match.id in used:
        match = by_hash.get(digest)
    if match is not None and match.id in used:
        match = None
    sm = dict(zip(tables.MEMBER, match.row, strict=True)) if match else {}
    member_id = match.id if match else uuid.uuid4()
    used.add(member_id)
    row: tuple[Any, ...] = (
        member_id, household_id, _pick(ctx, "人编号", m.national_number, sm.get("national_number")),
        m.name, None, digest, mask(id18), m.sex, m.birth_date,
        m.ethnicity or sm.get("ethnicity") or "han", m.relation, sm.get("phone"),
    )  # fmt: skip
    changed = match is None or row != match.row
    if match is None or digest != sm["id_number_hash"]:
        row = (*row[:4], ctx.cipher.encrypt(id18, bound_to=str(member_id)), *row[5:])
    year_row = _member_year(m, member_id, match, ctx, errors)
    year_changed = match is None or match.year_row is None or year_row != match.year_row
    check = MemberCheck(
        key=str(member_id), relation=m.relation, sex=m.sex, birth_date=m.birth_date,
        health=frozenset(year_row[6]), school_status=year_row[3], dropout=year_row[4],
        labour=year_row[9], work_status=year_row[10], work_months=year_row[11],
        critical_illness_insured=year_row[13],
    )  # fmt: skip
    state = "created" if match is None else "updated" if changed or year_changed else "unchanged"
    return (
        (*row, m.source_row or 0, match is None, changed),
        (*year_row, year_changed),
        check,
        state,
    )


def _member_year(
    m: ExchangeMember,
    member_id: uuid.UUID,
    match: StoredMember | None,
    ctx: Context,
    errors: list[FieldError],
) -> tuple[Any, ...]:
    sy = dict(zip(tables.MEMBER_YEAR, match.year_row, strict=True)) if match and match.year_row else {}  # fmt: skip
    health = list(m.health) if "健康状况" in ctx.present else list(sy.get("health") or [])
    from_file = "残疾类别" in ctx.present or "残疾证号" in ctx.present
    category = m.disability_category if from_file else sy.get("disability_category")
    grade: int | None = int(m.disability_grade[-1]) if m.disability_grade else None
    if not from_file:
        grade = sy.get("disability_grade")
    if "disabled" not in health:
        if from_file and (category or grade):
            errors.append(_err(m.source_row or 0, "残疾类别", "健康状况无残疾 / 健康状况 does not include 残疾", "inconsistent"))  # fmt: skip
        category, grade = None, None
    flags = {
        name: _flag(getattr(m, name), sy.get(name), default)
        for name, default in _MEMBER_YEAR_DEFAULTS.items()
    }
    months = m.work_months if m.work_months is not None else _pick(ctx, "务工时间(月)", 0, sy.get("work_months"), 0)  # fmt: skip
    return (
        member_id, ctx.year,
        _pick(ctx, "文化程度", m.education, sy.get("education")),
        _pick(ctx, "在校生状况", m.school_status, sy.get("school_status")),
        flags["dropped_out"], flags["dropout_for_poverty"], health, category, grade,
        _pick(ctx, "劳动技能", m.labour, sy.get("labour")),
        _pick(ctx, "务工状况", m.work_status, sy.get("work_status")),
        months, flags["basic_medical_insured"], flags["critical_illness_insured"],
        flags["commercial_insured"], flags["pension_insured"], flags["dibao"], flags["tekun"],
        flags["active_soldier"],
    )  # fmt: skip


def _year(
    h: ExchangeHousehold,
    stored: StoredHousehold | None,
    ctx: Context,
    about: tuple[uuid.UUID, int, int, tuple[str, ...]],
    errors: list[FieldError],
) -> tuple[tuple[Any, ...], HouseholdFacts, list[tuple[str, str, str, str]]]:
    """The year record (tables.YEAR), the facts the rules read, and the kept findings of
    the merge itself. `about` is (household id, size, first row, other causes)."""
    household_id, size, first, other_causes = about
    sy = dict(zip(tables.YEAR, stored.year_row, strict=True)) if stored and stored.year_row else {}  # fmt: skip
    same_year = sy.get("year") == ctx.year
    kept: list[tuple[str, str, str, str]] = []
    one_off = h.one_off_income if h.one_off_income is not None else _ZERO
    if h.income is not None:
        income = h.income
    elif same_year:
        income = IncomeComponents(**{attr: sy[col] for col, attr in _INCOME_COLUMNS})
        one_off = sy["one_off_income"] if "一次性收入" not in ctx.present else one_off
        if size and per_capita(income, size) != h.per_capita_net_income:
            errors.append(_err(first, "人均纯收入", f"与{ctx.year}年已登记收入构成算得的{per_capita(income, size)}不符；修改收入请导入完整格式 / differs from the recorded income components; import the full layout to change income", "inconsistent"))  # fmt: skip
    else:
        income = IncomeComponents(other_transfer=h.per_capita_net_income * size)
        kept.append((RULE_UNITEMISED, "warning", "人均纯收入来自国家明细文件，无收入构成，暂记为其他转移性收入 / per-capita income from the national file without components, kept as other transfer income", "year.other_transfer_income"))  # fmt: skip
    grade = h.house_grade if "危房等级" in ctx.present else sy.get("house_grade")
    dangerous = h.dangerous_house
    if dangerous is not None and (grade in DANGEROUS_HOUSE) != dangerous:
        grade = "C" if dangerous else None
    values: dict[str, Any] = {col: getattr(income, attr) for col, attr in _INCOME_COLUMNS}
    values |= {
        name: _flag(getattr(h, name), sy.get(name), default)
        for name, default in _YEAR_DEFAULTS.items()
    }
    row = (
        household_id, ctx.year, *(values[c] for c, _ in _INCOME_COLUMNS), one_off,
        per_capita(income, size) if size else _ZERO,
        _pick(ctx, "耕地面积(亩)", h.arable_land_mu, sy.get("arable_land_mu")),
        _pick(ctx, "住房面积(平方米)", h.housing_area_m2, sy.get("housing_area_m2")),
        grade, *(values[c] for c in tables.YEAR[17:]),
    )  # fmt: skip
    facts = HouseholdFacts(
        year=ctx.year, status=h.status, main_cause=h.main_cause,
        other_causes=other_causes, income=income, one_off_income=one_off,
        house_grade=grade, water_safe=values["drinking_water_safe"],
        water_difficult=values["drinking_water_difficult"], exit_year=h.exit_year,
    )  # fmt: skip
    return row, facts, kept


def _dumps(value: dict[str, Any]) -> str:
    """JSON for the audit columns (jsonb): ids, dates and amounts as strings, as str() of
    them gives (orjson writes UUIDs and dates so itself; amounts go through `str`)."""
    return orjson.dumps(value, default=str).decode()


def _audit(
    household: tuple[Any, ...],
    s: dict[str, Any],
    action: str,
    members: list[tuple[Any, ...]],
    left: list[StoredMember],
    year_changed: bool,
    year: int,
) -> tuple[str | None, str | None]:
    """History of the household: the facts that changed, members by id, name and masked
    ID (the id lets a member's own history find the entry)."""
    if action == "unchanged":
        return None, None
    now = dict(zip(tables.HOUSEHOLD, household, strict=True))
    brief = [{"id": r[0], "name": r[3], "id_number_masked": r[6], "relation": r[10]} for r in members if r[-1]]  # fmt: skip
    if action == "create":
        return None, _dumps(now | {"year": year, "members": brief})
    changed = [k for k in tables.HOUSEHOLD if now[k] != s[k]]
    before = {k: s[k] for k in changed}
    after: dict[str, Any] = {k: now[k] for k in changed}
    if brief:
        after["members_written"] = brief
    if left:
        before["members_left"] = [
            {"id": m.id, "name": m.row[3], "id_number_masked": m.row[6], "relation": m.row[10]}
            for m in left
        ]
    if year_changed:
        after["year_written"] = True
    return _dumps(before), _dumps(after)
