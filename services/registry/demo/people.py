"""Members of one generated household: who lives there, their attributes, the income.

Built to satisfy the national data-quality rules by construction (checked in the tests
with `services.registry.households.quality`): one head; relation matches sex; head and
spouse differ in sex; the main cause is visible in the members (因病 an ill member, 因残 a
disabled one, 因学 a pupil); school status follows age; labour ability for everyone, so
for 16–65; migrant work only with labour ability; wage income exactly when someone works;
operating income always with its expenses; per-capita net income positive. ID numbers are
unique by construction and carry the member's birth date and sex.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.registry.codes.catalog import (
    DISABILITY_CATEGORY,
    DISABILITY_GRADE,
    MIGRANT_WORK,
    NO_LABOUR_ABILITY,
)
from services.registry.exchange.records import ExchangeMember
from shared import idcard

# Common surnames of southern Shandong and given-name characters; names only need to look
# like names, they are not drawn from any real register.
SURNAMES = "王张李刘孙陈杨赵徐马高周朱胡郭宋褚孟韩曹田袁邵颜魏吕丁任姜冯邱程贾"
_GIVEN = {
    True: "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳建国庆福德忠文山",
    False: "芳娟敏静丽艳娜秀英玲红霞梅兰凤云琴燕桂荣莲翠珍萍玉春花香梅慧",
}
# Zaozhuang's county codes: most people are born in 峄城区, spouses often elsewhere nearby.
ADDRESSES = ("370404", "370402", "370403", "370405", "370406", "370481")


def person_name(rng: random.Random, surname: str, male: bool) -> str:
    pool = _GIVEN[male]
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return surname + given


class IdAllocator:
    """Unique ID numbers without remembering them: a counter per birth date and sex.

    The 3-digit sequence's last digit is odd for men and even for women, so each county
    code holds 500 people per birth date and sex before the next code is used. Memory is
    bounded by the number of distinct birth dates, not by the number of people.
    """

    def __init__(self) -> None:
        self._used: dict[tuple[str, date, bool], int] = {}

    def allocate(self, born: date, male: bool, home: str = ADDRESSES[0]) -> str:
        start = ADDRESSES.index(home)
        for i in range(len(ADDRESSES)):
            address = ADDRESSES[(start + i) % len(ADDRESSES)]
            taken = self._used.get((address, born, male), 0)
            if taken < 500:
                self._used[(address, born, male)] = taken + 1
                body = f"{address}{born:%Y%m%d}{2 * taken + int(male):03d}"
                return body + idcard.check_char(body)
        raise RuntimeError(f"more than {500 * len(ADDRESSES)} people born {born} of one sex")


@dataclass(slots=True)
class Person:
    """A member while the household is being composed."""

    relation: str
    male: bool
    age: int  # on the reference day (31 December of the data year)
    conditions: list[str] = field(default_factory=list)  # chronic / serious_illness / disabled
    disability: tuple[str, str] | None = None  # (category digit, grade digit)
    student: bool = False  # must be in school (the pupil of a 因学 household)
    school_status: str = "not_in_school"
    education: str = "illiterate"
    labour: str = "no_labour"
    work_status: str | None = None
    work_months: int | None = None


_CHILD = {True: "son", False: "daughter"}
_FAMILY_LINE = frozenset({"son", "daughter", "grandson", "granddaughter"})
_GRANDCHILD = {True: "grandson", False: "granddaughter"}
_PARENT = {True: "father", False: "mother"}
ELDERLY_CAUSES = frozenset({"illness", "disability", "lack_labour"})


def _head_age(rng: random.Random, cause: str, size: int) -> int:
    if cause == "education":
        return rng.randint(38, 52)
    if cause in ("lack_funds", "lack_skills"):
        return rng.randint(30, 58)
    if cause == "lack_labour":
        return rng.randint(62, 86)
    if cause in ELDERLY_CAUSES:
        return rng.randint(55, 88) if size == 1 else rng.randint(45, 82)
    return rng.randint(30, 75)


def compose(rng: random.Random, size: int, cause: str) -> list[Person]:
    """Head first, then spouse, then relatives whose ages fit the head's."""
    head_age = _head_age(rng, cause, size)
    head = Person("head", rng.random() < (0.5 if size == 1 else 0.85), head_age)
    people = [head]
    pupil_needed = cause == "education"
    if size >= 2 and not (pupil_needed and size == 2) and (size >= 3 or rng.random() < 0.75):
        people.append(Person("spouse", not head.male, min(95, head_age + rng.randint(-5, 5))))
    if pupil_needed:
        male = rng.random() < 0.5
        people.append(Person(_CHILD[male], male, rng.randint(15, 19), student=True))
    while len(people) < size:
        people.append(_relative(rng, people, head_age, cause, size - len(people)))
    return people


def _relative(
    rng: random.Random, people: list[Person], head_age: int, cause: str, slots: int
) -> Person:
    male = rng.random() < 0.5
    relations = {p.relation for p in people}
    if cause == "lack_labour":  # grandparents bringing up grandchildren (留守儿童)
        return Person(_GRANDCHILD[male], male, rng.randint(2, 15))
    if head_age >= 58:
        son = next((p for p in people if p.relation == "son"), None)
        if son is None and slots >= 2:
            return Person("son", True, max(20, head_age - rng.randint(22, 32)))
        if son is not None and "daughter_in_law" not in relations:
            return Person("daughter_in_law", False, max(20, son.age + rng.randint(-3, 3)))
        if son is not None:
            return Person(_GRANDCHILD[male], male, max(0, son.age - rng.randint(20, 30)))
        return Person(_CHILD[male], male, max(18, head_age - rng.randint(22, 32)))
    if head_age < 42 and rng.random() < 0.25 and not relations & {"father", "mother"}:
        return Person(_PARENT[male], male, min(95, head_age + rng.randint(22, 32)))
    return Person(_CHILD[male], male, max(0, head_age - rng.randint(20, 36)))


def _adult_education(rng: random.Random, age: int) -> str:
    if age >= 60:
        options, weights = ("illiterate", "primary", "junior_high"), (45, 40, 15)
    elif age >= 40:
        options, weights = ("primary", "junior_high", "senior_high"), (35, 50, 15)
    else:
        options, weights = ("junior_high", "senior_high", "college"), (55, 30, 15)
    return rng.choices(options, weights)[0]


def place_in_school(rng: random.Random, p: Person) -> None:
    """School status and education from age, on the school year begun that September."""
    age, status = p.age, "not_in_school"
    if age <= 5:
        status, education = ("preschool" if age >= 3 else "not_in_school"), "preschool_child"
    elif age <= 11:
        status, education = "primary", "primary"
    elif age <= 14:
        status, education = f"grade{age - 5}", "junior_high"  # 12 is in 七年级
    elif age <= 17:
        track = "senior" if rng.random() < 0.7 else "vocational_secondary"
        status, education = f"{track}{age - 14}", "senior_high"
    elif age <= 20 and (p.student or rng.random() < 0.45):
        status = f"vocational_higher{age - 17}" if rng.random() < 0.4 else "college"
        education = "college"
    elif age <= 22 and rng.random() < 0.2:
        status, education = "college", "college"
    else:
        education = _adult_education(rng, age)
    p.school_status, p.education = status, education


_CATEGORIES = ("4", "1", "2", "3", "5", "6", "7")  # 肢体 most common, then 视力 …
_CATEGORY_WEIGHTS = (45, 15, 10, 3, 12, 10, 5)


def add_condition(rng: random.Random, p: Person, condition: str) -> None:
    if condition == "disabled":
        grade = rng.choices("1234", (15, 25, 30, 30))[0]
        p.disability = (rng.choices(_CATEGORIES, _CATEGORY_WEIGHTS)[0], grade)
    if condition not in p.conditions:
        p.conditions.append(condition)


def _patient(rng: random.Random, people: list[Person]) -> Person:
    """The member a health cause rests on: usually the head, else an adult."""
    adults = [p for p in people if p.age >= 18] or people
    return people[0] if rng.random() < 0.6 else rng.choice(adults)


def assign_health(rng: random.Random, people: list[Person], cause: str) -> None:
    if cause == "illness":
        add_condition(
            rng, _patient(rng, people), rng.choices(("chronic", "serious_illness"), (65, 35))[0]
        )
    if cause == "disability":
        add_condition(rng, _patient(rng, people), "disabled")
    for p in people:
        if p.age >= 60 and not p.conditions and rng.random() < 0.15:
            add_condition(rng, p, "chronic")


def assign_labour(rng: random.Random, people: list[Person], cause: str) -> None:
    for p in people:
        severe = "serious_illness" in p.conditions or (p.disability or ("", "4"))[1] in "12"
        if p.age < 16 or p.school_status != "not_in_school":
            p.labour = "no_labour"
        elif severe:
            p.labour = "incapacitated"
        elif cause == "lack_labour" or p.age > 65:
            # 缺劳力 households have no able-bodied adult; most over 65 no longer work.
            weak = p.conditions or cause == "lack_labour" or rng.random() < 0.7
            p.labour = ("incapacitated" if p.conditions else "no_labour") if weak else "ordinary"
        elif p.conditions and rng.random() < 0.5:
            p.labour = "incapacitated"
        else:
            p.labour = "skilled" if rng.random() < 0.15 else "ordinary"
        if p.labour not in NO_LABOUR_ABILITY and 18 <= p.age <= 60 and rng.random() < 0.55:
            p.work_status = rng.choices(sorted(MIGRANT_WORK), (25, 30, 15, 30))[0]
            p.work_months = rng.randint(3, 12)


def birth_date(rng: random.Random, age: int, on: date) -> date:
    """A birth date giving exactly `age` full years on `on`."""
    latest = _years_before(on, age)
    earliest = _years_before(on, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year without one
        return on.replace(year=on.year - years, day=28)


def to_members(
    rng: random.Random,
    people: list[Person],
    ids: IdAllocator,
    number: str,
    on: date,
    assistance_type: str,
) -> tuple[ExchangeMember, ...]:
    head = people[0]
    spouse = next((p for p in people if p.relation == "spouse"), None)
    # Children and grandchildren carry the husband's surname; a woman keeps her own.
    family = rng.choice(SURNAMES)
    others = [s for s in SURNAMES if s != family]
    head_surname = family if head.male or spouse is None else rng.choice(others)
    dibao = assistance_type in ("dibao", "dibao_tekun")
    tekun = assistance_type in ("tekun", "dibao_tekun")
    members = []
    for i, p in enumerate(people):
        if p is head or p.relation == "father":
            surname = head_surname
        elif p.relation in _FAMILY_LINE or (p is spouse and p.male):
            surname = family
        else:
            surname = rng.choice(others)
        local = surname == family or rng.random() < 0.6
        born = birth_date(rng, p.age, on)
        home = ADDRESSES[0] if local else rng.choice(ADDRESSES[1:])
        id_number = ids.allocate(born, p.male, home)
        certificate = None if p.disability is None else id_number + "".join(p.disability)
        adult = p.age >= 16 and p.school_status == "not_in_school"
        members.append(
            ExchangeMember(
                national_number=f"P{number[1:]}{i + 1:02d}",
                name=person_name(rng, surname, p.male),
                id_number=id_number,
                sex="male" if p.male else "female",
                birth_date=born,
                relation=p.relation,
                ethnicity="hui" if rng.random() < 0.01 else "han",
                education=p.education,
                school_status=p.school_status,
                health=_health(p),
                labour=p.labour,
                work_status=p.work_status,
                work_months=p.work_months,
                critical_illness_insured=True,
                disability_certificate=certificate,
                disability_category=None if p.disability is None else _category(p.disability),
                disability_grade=None if p.disability is None else _grade(p.disability),
                basic_medical_insured=True,
                commercial_insured=rng.random() < 0.3,
                pension_insured=adult,
                dibao=dibao,
                tekun=tekun,
                active_soldier=False,
                dropped_out=False,
                dropout_for_poverty=False,
            )
        )
    return tuple(members)


def _category(disability: tuple[str, str]) -> str:
    return DISABILITY_CATEGORY.by_national(disability[0]).code


def _grade(disability: tuple[str, str]) -> str:
    return DISABILITY_GRADE.by_national(disability[1]).code


_HEALTH_ORDER = ("chronic", "serious_illness", "disabled")


def _health(p: Person) -> tuple[str, ...]:
    if not p.conditions:
        return ("healthy",)
    return tuple(c for c in _HEALTH_ORDER if c in p.conditions)
