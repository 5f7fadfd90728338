"""Household reads are built by PostgreSQL (households/reading.py): documents (a read, the
export's pages) and summaries (the list) must be exactly what the response models say, for
every role, area level and data year, and cost one statement per read or page whatever the
page's size."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.registry.households import reading
from services.registry.households.models import Household, HouseholdYear, Member, MemberYear
from services.registry.households.reading import HouseholdFilters
from services.registry.households.records import MEMBER_ORDER, in_area
from services.registry.households.summaries import HouseholdSummary
from services.registry.households.views import HouseholdRead, household_read, sees_health
from shared.auth import Principal, Role
from shared.db import driver_of
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    TokenFactory,
    household_body,
    make_areas,
    member_body,
)

PRINCIPALS = [
    Principal("admin", Role.district_admin, "370404"),
    Principal("officer", Role.town_officer, TOWN),
    Principal("cadre", Role.village_cadre, VILLAGE),
    Principal("auditor", Role.auditor, "370404"),
    Principal("finance", Role.finance_officer, "370404"),  # no health details
    Principal("eligibility", Role.service, "370404"),  # no health details
    Principal("elsewhere", Role.village_cadre, OTHER_VILLAGE),
]
YEARS = [None, 2017, 2018, 2019]
FILTERS = [
    HouseholdFilters(),
    HouseholdFilters(village_code=VILLAGE),
    HouseholdFilters(town_code=TOWN, status="not_exited"),
    HouseholdFilters(status="exited_supported"),
    HouseholdFilters(main_cause="illness", identification_standard="provincial"),
    HouseholdFilters(main_cause="lack_skills"),
    HouseholdFilters(year=2018),
    HouseholdFilters(year=2019),
    HouseholdFilters(village_code=OTHER_VILLAGE, year=2019),
    HouseholdFilters(village_code=NEIGHBOUR_VILLAGE, year=2018),
]


# --- the reference: the ORM-built response model, as the service answered before ----------

Shown = tuple[Household, HouseholdYear | None, list[tuple[Member, MemberYear | None]]]


async def shown(
    session: AsyncSession, households: list[Household], year: int | None
) -> list[Shown]:
    """Each household with its year shown (`year`, else its latest) and its members, each
    with their record of that year, from ORM rows."""
    if not households:
        return []
    ids = [h.id for h in households]
    year_query = sa.select(HouseholdYear).where(HouseholdYear.household_id.in_(ids))
    if year is not None:
        year_query = year_query.where(HouseholdYear.year == year)
    else:
        year_query = year_query.order_by(HouseholdYear.household_id, HouseholdYear.year.desc()).ext(
            distinct_on(HouseholdYear.household_id)
        )
    records = {r.household_id: r for r in await session.scalars(year_query)}
    members = list(
        (
            await session.scalars(
                sa.select(Member)
                .where(Member.household_id.in_(ids))
                .order_by(Member.household_id, *MEMBER_ORDER)
            )
        ).all()
    )
    years = {hid: r.year for hid, r in records.items()}
    member_years: dict[tuple[uuid.UUID, int], MemberYear] = {}
    if years and members:
        rows = await session.scalars(
            sa.select(MemberYear).where(
                MemberYear.member_id.in_([m.id for m in members]),
                MemberYear.year.in_(set(years.values())),
            )
        )
        member_years = {(y.member_id, y.year): y for y in rows}
    by_household: dict[uuid.UUID, list[Member]] = defaultdict(list)
    for member in members:
        by_household[member.household_id].append(member)
    out = []
    for household in households:
        year_shown = years.get(household.id)
        mine = [
            (m, member_years.get((m.id, year_shown)) if year_shown is not None else None)
            for m in by_household[household.id]
        ]
        out.append((household, records.get(household.id), mine))
    return out


def counted(members: list[tuple[Member, MemberYear | None]]) -> list[Member]:
    """The members counted in the year shown: recorded in it, not left before it."""
    return [
        m for m, y in members if y is not None and (m.left_on is None or m.left_on.year > y.year)
    ]


async def reference(
    session: AsyncSession, principal: Principal, households: list[Household], year: int | None
) -> list[dict[str, Any]]:
    """`HouseholdRead`s built from ORM rows, as JSON (what FastAPI sent before)."""
    out = []
    for household, record, members in await shown(session, households, year):
        read = household_read(
            household,
            record,
            members,
            size=len(counted(members)),
            show_health=sees_health(principal),
        )
        out.append(json.loads(read.model_dump_json()))
    return out


def summary(household: Household, record: HouseholdYear | None, members: list[Member]) -> str:
    """The `HouseholdSummary` of a household shown with `record`, `members` counted in it."""
    # Of two heads counted (one left after the year, one named on their leaving), the one
    # who left first was the head in that year.
    heads = sorted(
        (m for m in members if m.relation == "head"),
        key=lambda m: (m.left_on or date.max, m.birth_date, m.id),
    )
    return HouseholdSummary(
        id=household.id,
        national_number=household.national_number,
        village_code=household.village_code,
        town_code=household.town_code,
        head_name=heads[0].name if heads else None,
        size=len(members),
        status=household.status,
        assistance_type=household.assistance_type,
        identification_standard=household.identification_standard,
        identification_year=household.identification_year,
        exit_year=household.exit_year,
        main_cause=household.main_cause,
        year=record.year if record is not None else None,
        per_capita_net_income=record.per_capita_net_income if record is not None else None,
        version=household.version,
        updated_at=household.updated_at,
    ).model_dump_json()


async def summary_reference(
    session: AsyncSession, households: list[Household], year: int | None
) -> list[dict[str, Any]]:
    """`HouseholdSummary`s built from ORM rows, as JSON (what FastAPI would send)."""
    return [
        json.loads(summary(household, record, counted(members)))
        for household, record, members in await shown(session, households, year)
    ]


async def page_households(
    session: AsyncSession,
    principal: Principal,
    filters: HouseholdFilters,
    after: uuid.UUID | None,
    limit: int,
) -> list[Household]:
    query = sa.select(Household).where(in_area(principal)).order_by(Household.id).limit(limit)
    for name in ("village_code", "town_code", "status", "identification_standard", "main_cause"):
        value = getattr(filters, name)
        if value is not None:
            query = query.where(getattr(Household, name) == value)
    if filters.year is not None:
        query = query.where(
            sa.exists().where(
                HouseholdYear.household_id == Household.id, HouseholdYear.year == filters.year
            )
        )
    if after is not None:
        query = query.where(Household.id > after)
    return list(await session.scalars(query.execution_options(populate_existing=True)))


async def reference_page(
    session: AsyncSession,
    principal: Principal,
    filters: HouseholdFilters,
    after: uuid.UUID | None,
    limit: int,
) -> list[dict[str, Any]]:
    households = await page_households(session, principal, filters, after, limit)
    return await reference(session, principal, households, filters.year)


async def summary_reference_page(
    session: AsyncSession,
    principal: Principal,
    filters: HouseholdFilters,
    after: uuid.UUID | None,
    limit: int,
) -> list[dict[str, Any]]:
    households = await page_households(session, principal, filters, after, limit)
    return await summary_reference(session, households, filters.year)


def canonical(document: bytes | dict[str, Any] | list[Any]) -> str:
    """JSON with its key order kept, so equal strings mean equal keys, order and values."""
    value = json.loads(document) if isinstance(document, bytes) else document
    return json.dumps(value, ensure_ascii=False)


# --- data: households with several years, a departed member, a late joiner, a new head ---


@pytest.fixture
async def households(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> list[uuid.UUID]:
    await make_areas(session)
    admin = auth()
    first = (await client.post("/v1/households", json=household_body(), headers=admin)).json()
    url = f"/v1/households/{first['id']}"
    # 2017 and 2018 surveys: members' years are carried over from 2019.
    for year, wage in ((2017, "3000.00"), (2018, "4000.50")):
        put = await client.put(
            f"{url}/years/{year}", json={"wage_income": wage, "house_grade": "C"}, headers=admin
        )
        assert put.status_code == 200, put.text
    # A newborn recorded from 2019 only (no 2017 or 2018 year), a spouse who married out.
    baby = member_body("张小雨", "granddaughter", "20190302", "002", education="preschool_child")
    joined = await client.post(f"{url}/members", json={**baby, "data_year": 2019}, headers=admin)
    assert joined.status_code == 201, joined.text
    spouse = first["members"][1]["id"]
    left = await client.post(
        f"{url}/members/{spouse}/remove",
        json={"left_on": "2019-06-18", "reason": "married_out"},
        headers=admin,
    )
    assert left.status_code == 200, left.text
    # A disabled member, so hidden health details differ from shown ones.
    etag = (await client.get(url, headers=admin)).headers["etag"]
    disabled = await client.put(
        f"{url}/members/{first['members'][2]['id']}/years/2019",
        json={
            "school_status": "primary",
            "health": ["disabled"],
            "disability_category": "physical",
            "disability_grade": 3,
        },
        headers={**admin, "If-Match": etag},
    )
    assert disabled.status_code == 200, disabled.text
    ids = [uuid.UUID(first["id"])]
    body = household_body(
        OTHER_VILLAGE,
        status="exited_supported",
        exit_year=2019,
        main_cause="lack_skills",
        other_causes=[],
        members=[
            member_body("王芳", "head", "19650101", "022", labour="ordinary",
                        school_status="not_in_school", health=["healthy"]),
        ],
    )  # fmt: skip
    body["year"] = {"wage_income": "12000.00", "housing_area_m2": "60.00"}
    other = await client.post("/v1/households", json=body, headers=admin)
    assert other.status_code == 201, other.text
    ids.append(uuid.UUID(other.json()["id"]))
    for n in range(4):  # more of the same village, for pages
        more = household_body(main_cause="lack_skills", other_causes=[], members=[
            member_body(f"赵{n}", "head", "19600101", f"0{n}1", labour="ordinary",
                        school_status="not_in_school", health=["healthy"]),
        ])  # fmt: skip
        more["year"] = {"wage_income": f"{9000 + n}.00"}
        response = await client.post("/v1/households", json=more, headers=admin)
        assert response.status_code == 201, response.text
        ids.append(uuid.UUID(response.json()["id"]))
    # A head who died in 2019, his wife named head: in 2018 both count, and he was the head.
    widowed = household_body(NEIGHBOUR_VILLAGE, main_cause="lack_skills", other_causes=[],
        members=[
            member_body("孙大山", "head", "19550101", "041", labour="ordinary",
                        school_status="not_in_school", health=["healthy"]),
            member_body("周桂兰", "spouse", "19570202", "042", labour="ordinary",
                        school_status="not_in_school", health=["healthy"]),
        ],
    )  # fmt: skip
    created = await client.post("/v1/households", json=widowed, headers=admin)
    assert created.status_code == 201, created.text
    url = f"/v1/households/{created.json()['id']}"
    put = await client.put(f"{url}/years/2018", json={"wage_income": "5000.00"}, headers=admin)
    assert put.status_code == 200, put.text
    head, wife = (m["id"] for m in created.json()["members"])
    died = await client.post(
        f"{url}/members/{head}/remove",
        json={"left_on": "2019-10-02", "reason": "death", "new_head_member_id": wife},
        headers=admin,
    )
    assert died.status_code == 200, died.text
    ids.append(uuid.UUID(created.json()["id"]))
    return ids


async def _household(session: AsyncSession, household_id: uuid.UUID) -> Household:
    found = await session.scalar(
        sa.select(Household)
        .where(Household.id == household_id)
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


# --- equal to the models ------------------------------------------------------------------


@pytest.mark.parametrize("principal", PRINCIPALS, ids=lambda p: f"{p.role.value}@{p.area_code}")
async def test_a_read_is_the_model_built_answer(
    db: AsyncConnection,
    session: AsyncSession,
    households: list[uuid.UUID],
    principal: Principal,
) -> None:
    driver = await driver_of(db)
    for household_id in households:
        household = await _household(session, household_id)
        for year in YEARS:
            if not principal.covers(household.village_code):
                with pytest.raises(Exception, match="no such household"):
                    await reading.read_household(driver, principal, household_id, year)
                continue
            document = await reading.read_household(driver, principal, household_id, year)
            [expected] = await reference(session, principal, [household], year)
            assert canonical(document.json) == canonical(expected), (household_id, year)
            assert document.version == household.version


@pytest.mark.parametrize("principal", PRINCIPALS[:5], ids=lambda p: p.role.value)
@pytest.mark.parametrize("filters", FILTERS)
async def test_export_pages_are_the_model_built_answers(
    db: AsyncConnection,
    session: AsyncSession,
    households: list[uuid.UUID],
    principal: Principal,
    filters: HouseholdFilters,
) -> None:
    driver = await driver_of(db)
    after: uuid.UUID | None = None
    seen = 0
    while True:  # pages of two, to the end
        page = await reading.list_households(driver, principal, filters, after=after, limit=2)
        expected = await reference_page(session, principal, filters, after, 2)
        assert [canonical(d.json) for d in page] == [canonical(e) for e in expected]
        if len(page) < 2:
            break
        after, seen = page[-1].id, seen + len(page)
    assert seen + len(page) == len(await reference_page(session, principal, filters, None, 500))


async def test_documents_are_fixed_points_of_the_response_model(
    db: AsyncConnection, households: list[uuid.UUID]
) -> None:
    """Parsing a document with HouseholdRead and writing it again gives the same JSON: same
    keys in the same order, money with two places, timestamps as pydantic writes them."""
    driver = await driver_of(db)
    admin, finance = PRINCIPALS[0], PRINCIPALS[4]
    for principal in (admin, finance):
        for year in YEARS:
            for document in await reading.list_households(
                driver, principal, HouseholdFilters(year=year), after=None, limit=50
            ):
                again = HouseholdRead.model_validate_json(document.json).model_dump_json()
                assert canonical(again.encode()) == canonical(document.json)
                assert document.json == document.json.strip()


def _items(page: reading.SummaryPage) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(page.json(None))["items"]
    return items


@pytest.mark.parametrize("principal", PRINCIPALS, ids=lambda p: f"{p.role.value}@{p.area_code}")
@pytest.mark.parametrize("filters", FILTERS)
async def test_summary_pages_are_the_model_built_answers(
    db: AsyncConnection,
    session: AsyncSession,
    households: list[uuid.UUID],
    principal: Principal,
    filters: HouseholdFilters,
) -> None:
    driver = await driver_of(db)
    after: uuid.UUID | None = None
    seen = 0
    while True:  # pages of two, to the end
        page = await reading.list_summaries(driver, principal, filters, after=after, limit=2)
        expected = await summary_reference_page(session, principal, filters, after, 2)
        assert [canonical(i) for i in _items(page)] == [canonical(e) for e in expected]
        assert page.count == len(expected)
        assert page.last == (uuid.UUID(expected[-1]["id"]) if expected else None)
        if page.count < 2:
            break
        after, seen = page.last, seen + page.count
    everything = await summary_reference_page(session, principal, filters, None, 500)
    assert seen + page.count == len(everything)


async def test_a_head_who_left_after_the_year_is_its_head(
    db: AsyncConnection, households: list[uuid.UUID]
) -> None:
    """The reference states the rule; this pins it to the household that shows it."""
    driver = await driver_of(db)
    admin = PRINCIPALS[0]
    shown = {}
    for year in (2018, 2019):
        filters = HouseholdFilters(village_code=NEIGHBOUR_VILLAGE, year=year)
        [item] = _items(await reading.list_summaries(driver, admin, filters, after=None, limit=9))
        shown[year] = (item["head_name"], item["size"])
    assert shown == {2018: ("孙大山", 2), 2019: ("周桂兰", 1)}


async def test_summaries_are_fixed_points_of_the_response_model(
    db: AsyncConnection, households: list[uuid.UUID]
) -> None:
    """Parsing a summary with HouseholdSummary and writing it again gives the same JSON."""
    driver = await driver_of(db)
    for principal in PRINCIPALS:
        for year in YEARS:
            page = await reading.list_summaries(
                driver, principal, HouseholdFilters(year=year), after=None, limit=50
            )
            for item in _items(page):
                again = HouseholdSummary.model_validate(item).model_dump_json()
                assert canonical(again.encode()) == canonical(item)


async def test_http_answers_carry_the_document_and_its_etag(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection, households: list[uuid.UUID]
) -> None:
    driver = await driver_of(db)
    admin = PRINCIPALS[0]
    one = await client.get(f"/v1/households/{households[0]}", headers=auth())
    document = await reading.read_household(driver, admin, households[0], None)
    assert one.status_code == 200
    assert one.content == document.json
    assert one.headers["etag"] == f'"{document.version}"'
    assert one.headers["content-type"] == "application/json"
    page = await client.get("/v1/households", params={"limit": 2}, headers=auth())
    body = page.json()
    assert len(body["items"]) == 2 and body["next_cursor"]
    rest = await client.get(
        "/v1/households", params={"limit": 50, "cursor": body["next_cursor"]}, headers=auth()
    )
    assert rest.json()["next_cursor"] is None
    listed = [i["id"] for i in body["items"] + rest.json()["items"]]
    assert listed == sorted(str(h) for h in households)
    summaries = await reading.list_summaries(driver, admin, HouseholdFilters(), after=None, limit=2)
    assert page.content == summaries.json(body["next_cursor"])
    assert list(body["items"][0]) == list(HouseholdSummary.model_fields)


# --- statements per read --------------------------------------------------------------------


@asynccontextmanager
async def statements(db: AsyncConnection) -> AsyncIterator[list[str]]:
    """Every statement sent on the test's connection: through SQLAlchemy (its
    before_cursor_execute event) or straight to the asyncpg driver (its query logger)."""
    sent: list[str] = []

    def through_sqlalchemy(*args: Any) -> None:
        sent.append(str(args[2]))

    def to_the_driver(record: Any) -> None:
        sent.append(str(record.query))

    engine = db.sync_engine
    event.listen(engine, "before_cursor_execute", through_sqlalchemy)
    driver = await driver_of(db)
    driver.add_query_logger(to_the_driver)
    try:
        yield sent
    finally:
        await asyncio.sleep(0)  # asyncpg calls its loggers soon after, not at once
        driver.remove_query_logger(to_the_driver)
        event.remove(engine, "before_cursor_execute", through_sqlalchemy)


def _selects(sent: Iterable[str]) -> list[str]:
    # Savepoints belong to the test's rolled-back transaction, not to the request.
    return [s for s in sent if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]


async def test_a_household_read_is_one_statement(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection, households: list[uuid.UUID]
) -> None:
    for year in (None, 2018):
        params = {"year": year} if year else {}
        async with statements(db) as sent:
            response = await client.get(
                f"/v1/households/{households[0]}", params=params, headers=auth()
            )
        assert response.status_code == 200
        assert len(_selects(sent)) == 1, sent  # ≤ 2 asked for


@pytest.mark.parametrize("limit", [1, 3, 50])
async def test_a_page_is_one_statement_whatever_its_size(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    db: AsyncConnection,
    households: list[uuid.UUID],
    limit: int,
) -> None:
    async with statements(db) as sent:
        response = await client.get(
            "/v1/households",
            params={"limit": limit, "village_code": VILLAGE, "status": "not_exited"},
            headers=auth(),
        )
    assert response.status_code == 200
    assert len(response.json()["items"]) == min(limit, 5)
    assert len(_selects(sent)) == 1, sent  # ≤ 3 asked for


async def test_reads_send_nothing_but_their_select(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection, households: list[uuid.UUID]
) -> None:
    """No BEGIN, COMMIT, ROLLBACK or savepoint around a read (tests/shared/test_db.py shows
    the same for DbReadSession on a real engine)."""
    async with statements(db) as sent:
        await client.get(f"/v1/households/{households[1]}", headers=auth())
        await client.get("/v1/households", headers=auth())
    assert [s.split()[0].upper() for s in sent] == ["SELECT", "SELECT"], sent
