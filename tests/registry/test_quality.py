"""The national data-quality rules: a valid household is clean, and each violation
produces exactly its own rule. Thresholds are DOMAIN.md's, tested at their edges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from services.registry.codes.catalog import RELATION
from services.registry.households.quality import (
    RULE_PERSON_ONE_HOUSEHOLD,
    RULES,
    Finding,
    HouseholdCheck,
    IncomeComponents,
    MemberCheck,
    age_at,
    check_household,
    per_capita_net_income,
)
from shared.errors import InvalidInput

YEAR = 2019  # ages are taken on 2019-12-31 unless a test says otherwise
D = Decimal


def valid() -> HouseholdCheck:
    """A five-person exited household that breaks no rule. Net 34 300, 6 860.00 a head."""
    return HouseholdCheck(
        data_year=YEAR,
        status="exited_supported",
        declared_size=5,
        members=(
            MemberCheck("head", "head", "male", date(1970, 5, 1), frozenset({"chronic"}),
                        "not_in_school", labour="ordinary", work_status="in_county",
                        work_months=8, critical_illness_insured=True),
            MemberCheck("wife", "spouse", "female", date(1972, 3, 1), frozenset({"healthy"}),
                        "not_in_school", labour="ordinary"),
            MemberCheck("son", "son", "male", date(2008, 3, 1), frozenset({"healthy"}),
                        "primary"),
            MemberCheck("daughter", "daughter", "female", date(2001, 9, 1),
                        frozenset({"healthy"}), "senior3", labour="ordinary"),
            MemberCheck("mother", "mother", "female", date(1945, 1, 1),
                        frozenset({"healthy"}), labour="no_labour"),
        ),
        main_cause="illness",
        other_causes=("lack_skills",),
        income=IncomeComponents(wage=D(30000), operating=D(5000), property=D(100),
                                operating_expenses=D(2000), pension=D(1200)),
        house_grade=None,
        water_safe=True,
        water_difficult=False,
        exit_year=2018,
        poverty_line=D(3700),
    )  # fmt: skip


def member(h: HouseholdCheck, key: str, **changes: object) -> HouseholdCheck:
    members = tuple(replace(m, **changes) if m.key == key else m for m in h.members)  # type: ignore[arg-type]
    return replace(h, members=members)


def add(h: HouseholdCheck, m: MemberCheck) -> HouseholdCheck:
    return replace(h, members=(*h.members, m), declared_size=h.declared_size + 1)


def adult(key: str, **changes: object) -> MemberCheck:
    base = MemberCheck(key, "other", "male", date(1990, 1, 1), frozenset({"healthy"}),
                       "not_in_school", labour="ordinary")  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def born(age: int) -> date:
    """Born on the reference day, so exactly `age` on 2019-12-31."""
    return date(YEAR - age, 12, 31)


def with_income(h: HouseholdCheck, **changes: Decimal) -> HouseholdCheck:
    assert h.income is not None
    return replace(h, income=replace(h.income, **changes))


def rules(h: HouseholdCheck, **kwargs: date) -> list[str]:
    return [f.rule for f in check_household(h, **kwargs)]


Builder = Callable[[HouseholdCheck], HouseholdCheck]

# rule -> ways to break exactly that rule, each with the field the finding must name.
VIOLATIONS: dict[str, list[tuple[str, Builder, tuple[str | int, ...]]]] = {
    "household.one_head": [
        ("no head", lambda h: member(h, "head", relation="other"), ("members",)),
        ("two heads", lambda h: member(h, "wife", relation="head"), ("members",)),
    ],
    "household.size_matches_members": [
        ("size too big", lambda h: replace(h, declared_size=6), ("size",)),
        ("size too small", lambda h: replace(h, declared_size=4), ("size",)),
    ],
    "household.head_spouse_sex": [
        ("two men", lambda h: member(h, "wife", sex="male"), ("members", 1, "sex")),
    ],
    "member.relation_sex": [
        ("female son", lambda h: member(h, "son", sex="female"), ("members", 2, "relation")),
        ("male mother", lambda h: member(h, "mother", sex="male"), ("members", 4, "relation")),
    ],
    "household.cause_illness": [
        ("nobody ill", lambda h: member(h, "head", health=frozenset({"healthy"})),
         ("main_cause",)),
        ("disabled is not ill",
         lambda h: member(h, "head", health=frozenset({"disabled"})), ("main_cause",)),
    ],
    "household.cause_disability": [
        ("nobody disabled", lambda h: replace(h, main_cause="disability"), ("main_cause",)),
    ],
    "household.cause_education": [
        ("nobody in school",
         lambda h: member(member(replace(h, main_cause="education"), "son",
                                 school_status="not_in_school"),
                          "daughter", school_status="not_in_school"),
         ("main_cause",)),
    ],
    "household.other_causes_differ": [
        ("same as main", lambda h: replace(h, other_causes=("illness",)), ("other_causes", 0)),
        ("repeated", lambda h: replace(h, other_causes=("lack_skills", "lack_skills")),
         ("other_causes", 1)),
    ],
    "household.other_causes_max_two": [
        ("three", lambda h: replace(h, other_causes=("lack_skills", "lack_funds", "disaster")),
         ("other_causes",)),
    ],
    "member.age_school_senior": [
        ("11 in senior high", lambda h: member(h, "son", school_status="senior1"),
         ("members", 2, "school_status")),
        ("14 in higher vocational",
         lambda h: member(h, "son", birth_date=born(14), school_status="vocational_higher1"),
         ("members", 2, "school_status")),
    ],
    "member.age_school_primary": [
        ("20 in primary",
         lambda h: member(h, "daughter", birth_date=born(20), school_status="primary"),
         ("members", 3, "school_status")),
        ("40 in preschool", lambda h: member(h, "wife", school_status="preschool"),
         ("members", 1, "school_status")),
    ],
    "member.school_status_required": [
        ("6 without", lambda h: member(h, "son", birth_date=born(6), school_status=None),
         ("members", 2, "school_status")),
        ("23 without", lambda h: member(h, "daughter", birth_date=born(23), school_status=None),
         ("members", 3, "school_status")),
    ],
    "member.labour_required": [
        ("16 without", lambda h: member(h, "daughter", birth_date=born(16), labour=None),
         ("members", 3, "labour")),
        ("65 without", lambda h: member(h, "wife", birth_date=born(65), labour=None),
         ("members", 1, "labour")),
    ],
    "member.work_without_labour": [
        ("no labour works", lambda h: member(h, "mother", work_status="out_of_province"),
         ("members", 4, "work_status")),
        ("incapacitated works",
         lambda h: member(h, "wife", labour="incapacitated", work_status="in_town"),
         ("members", 1, "work_status")),
    ],
    "income.operating_without_expenses": [
        ("no expenses", lambda h: with_income(h, operating_expenses=D(0)),
         ("income", "operating_expenses")),
    ],
    "income.per_capita_out_of_range": [
        ("negative",
         lambda h: with_income(replace(h, status="not_exited"), operating_expenses=D(40000)),
         ("income",)),
        ("exactly zero",  # 34 300 net less 34 300 more expenses
         lambda h: with_income(replace(h, status="not_exited"), operating_expenses=D(36300)),
         ("income",)),
        ("one cent over 100 000",  # net 500 000.05 over 5
         lambda h: with_income(h, wage=D("495700.05")), ("income",)),
    ],
    "income.wage_without_worker": [
        ("nobody works", lambda h: member(h, "head", work_status=None, work_months=0),
         ("income", "wage")),
        ("other work is not a wage job", lambda h: member(h, "head", work_status="other"),
         ("income", "wage")),
    ],
    "income.worker_without_wage": [
        ("no wage", lambda h: with_income(replace(h, poverty_line=None), wage=D(0)),
         ("income", "wage")),
    ],
    "exited.below_line": [
        ("below", lambda h: replace(h, poverty_line=D("6860.01")), ("income",)),
    ],
    "exited.dropout": [
        ("son dropped out", lambda h: member(h, "son", dropout=True),
         ("members", 2, "dropout")),
    ],
    "exited.dangerous_house": [
        ("grade C", lambda h: replace(h, house_grade="C"), ("house_grade",)),
        ("grade D", lambda h: replace(h, house_grade="D"), ("house_grade",)),
    ],
    "exited.unsafe_water": [
        ("unsafe", lambda h: replace(h, water_safe=False), ("water_safe",)),
        ("difficult", lambda h: replace(h, water_difficult=True), ("water_difficult",)),
    ],
    "exited.ill_uninsured": [
        ("chronic uninsured", lambda h: member(h, "head", critical_illness_insured=False),
         ("members", 0, "critical_illness_insured")),
        ("seriously ill uninsured",
         lambda h: member(h, "wife", health=frozenset({"serious_illness"})),
         ("members", 1, "critical_illness_insured")),
    ],
}  # fmt: skip

CASES = [
    pytest.param(rule, build, path, id=f"{rule}:{label}")
    for rule, cases in VIOLATIONS.items()
    for label, build, path in cases
]


def test_valid_household_is_clean() -> None:
    assert check_household(valid()) == []


def test_every_rule_has_a_violation_case() -> None:
    # The one rule that needs the database is the service's to test.
    assert set(VIOLATIONS) == set(RULES) - {RULE_PERSON_ONE_HOUSEHOLD}


@pytest.mark.parametrize(("rule", "build", "path"), CASES)
def test_violation_produces_exactly_its_rule(
    rule: str, build: Builder, path: tuple[str | int, ...]
) -> None:
    findings = check_household(build(valid()))
    assert findings == [Finding(rule, RULES[rule][0], findings[0].message, path)]
    assert findings[0].message


# Edges on the allowed side of each threshold: these must stay clean.
ALLOWED: list[tuple[str, Builder]] = [
    ("15 in senior high", lambda h: member(h, "son", birth_date=born(15), school_status="senior1")),
    ("19 in primary",
     lambda h: member(h, "daughter", birth_date=born(19), school_status="primary")),
    ("5 without school status", lambda h: member(h, "son", birth_date=born(5), school_status=None)),
    ("24 without school status",
     lambda h: member(h, "daughter", birth_date=born(24), school_status=None)),
    ("15 without labour", lambda h: member(h, "daughter", birth_date=born(15), labour=None)),
    ("66 without labour", lambda h: member(h, "wife", birth_date=born(66), labour=None)),
    ("no birth date", lambda h: member(h, "son", birth_date=None, school_status=None)),
    ("no labour, other work", lambda h: member(h, "mother", work_status="other")),
    ("serious illness satisfies 因病",
     lambda h: member(h, "head", health=frozenset({"serious_illness"}))),
    ("disabled member satisfies 因残",
     lambda h: member(replace(h, main_cause="disability"), "mother",
                      health=frozenset({"disabled"}))),
    ("pupil satisfies 因学", lambda h: replace(h, main_cause="education")),
    ("two other causes", lambda h: replace(h, other_causes=("lack_skills", "lack_funds"))),
    ("no other causes", lambda h: replace(h, other_causes=())),
    ("no income survey yet", lambda h: replace(h, income=None)),
    ("no operating income, no expenses",
     lambda h: with_income(h, operating=D(0), operating_expenses=D(0))),
    ("per capita exactly 100 000", lambda h: with_income(h, wage=D("495700.00"))),
    ("per capita exactly on the line", lambda h: replace(h, poverty_line=D("6860.00"))),
    ("line unknown", lambda h: replace(h, poverty_line=None)),
    ("grade B house", lambda h: replace(h, house_grade="B")),
    ("water facts unknown", lambda h: replace(h, water_safe=None, water_difficult=None)),
    ("disabled, not ill, uninsured",
     lambda h: member(h, "wife", health=frozenset({"disabled"}))),
    ("head and spouse sex unknown", lambda h: member(h, "wife", sex=None)),
    ("ungendered relation", lambda h: add(h, adult("lodger", relation="other", sex="female"))),
]  # fmt: skip


@pytest.mark.parametrize("build", [b for _, b in ALLOWED], ids=[n for n, _ in ALLOWED])
def test_allowed_edges_stay_clean(build: Builder) -> None:
    assert check_household(build(valid())) == []


# DOMAIN.md relation labels and the sex they name.
MALE_LABELS = ["之子", "之女婿", "之孙子", "之外孙子", "之父", "之岳父", "之公公", "之祖父",
               "之外祖父"]  # fmt: skip
FEMALE_LABELS = ["之女", "之儿媳", "之孙女", "之外孙女", "之母", "之岳母", "之婆婆", "之祖母",
                 "之外祖母"]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "sex"),
    [(x, "male") for x in MALE_LABELS] + [(x, "female") for x in FEMALE_LABELS],
)
def test_relation_sex_for_every_gendered_relation(label: str, sex: str) -> None:
    relation = RELATION.by_zh(label).code
    opposite = "female" if sex == "male" else "male"
    assert rules(add(valid(), adult("x", relation=relation, sex=sex))) == []
    assert rules(add(valid(), adult("x", relation=relation, sex=opposite))) == [
        "member.relation_sex"
    ]


@pytest.mark.parametrize("status", ["not_exited", "pre_exit", "returned"])
def test_exit_flags_only_for_exited_households(status: str) -> None:
    h = replace(valid(), status=status, poverty_line=D(9000), house_grade="D", water_safe=False)
    h = member(member(h, "son", dropout=True), "head", critical_illness_insured=False)
    assert rules(h) == []
    assert set(rules(replace(h, status="exited_unsupported"))) == {
        "exited.below_line", "exited.dropout", "exited.dangerous_house",
        "exited.unsafe_water", "exited.ill_uninsured",
    }  # fmt: skip


def test_ages_are_taken_on_the_reference_date() -> None:
    # 15 at the end of 2019, still 14 on New Year's Day.
    h = member(valid(), "son", birth_date=date(2004, 6, 1), school_status="senior1")
    assert rules(h) == []
    assert rules(h, reference_date=date(YEAR, 1, 1)) == ["member.age_school_senior"]


def test_age_at_birthday_edges() -> None:
    assert age_at(date(2000, 3, 1), date(2014, 2, 28)) == 13
    assert age_at(date(2000, 3, 1), date(2014, 3, 1)) == 14
    assert age_at(date(2000, 2, 29), date(2019, 2, 28)) == 18


def test_severities_follow_domain() -> None:
    warnings = {r for r, (s, _) in RULES.items() if s == "warning"}
    flags = {r for r, (s, _) in RULES.items() if s == "flag"}
    assert warnings == {
        "income.operating_without_expenses",
        "income.wage_without_worker",
        "income.worker_without_wage",
    }
    assert flags == {r for r in RULES if r.startswith("exited.")}
    assert RULES["income.per_capita_out_of_range"][0] == "error"


def test_finding_as_field_error() -> None:
    finding = check_household(replace(valid(), declared_size=6))[0]
    error = finding.to_field_error()
    assert (error.loc, error.type) == (("size",), "household.size_matches_members")


def test_per_capita_net_income_formula() -> None:
    components = IncomeComponents(
        wage=D("1000"), operating=D("200"), property=D("30"), operating_expenses=D("50"),
        family_planning=D("1"), dibao=D("2"), tekun=D("3"), pension=D("4"),
        ecological=D("5"), other_transfer=D("6"),
    )  # fmt: skip
    # net = 1000 + 200 + 30 + (1+2+3+4+5+6) − 50 = 1201
    assert per_capita_net_income(components, 1) == D("1201.00")
    assert per_capita_net_income(components, 4) == D("300.25")
    assert per_capita_net_income(components, 3) == D("400.33")


def test_per_capita_rounds_half_up() -> None:
    # 100.01 ÷ 2 = 50.005 and 100.05 ÷ 2 = 50.025: half-up goes away from zero both times,
    # where banker's rounding would give 50.00 and 50.02.
    assert per_capita_net_income(IncomeComponents(wage=D("100.01")), 2) == D("50.01")
    assert per_capita_net_income(IncomeComponents(wage=D("100.05")), 2) == D("50.03")
    assert per_capita_net_income(IncomeComponents(wage=D("-100.01")), 2) == D("-50.01")


@pytest.mark.parametrize("size", [0, -1])
def test_per_capita_needs_a_positive_size(size: int) -> None:
    with pytest.raises(InvalidInput):
        per_capita_net_income(IncomeComponents(wage=D(1)), size)


def test_zero_size_does_not_crash_the_income_rules() -> None:
    h = replace(valid(), declared_size=0)
    assert rules(h) == ["household.size_matches_members"]
