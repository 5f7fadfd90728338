"""POST /v1/imports: dry run, all-or-nothing commit, errors at row and column, re-import."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households.models import Household, HouseholdYear, Member
from shared.auth import Role
from tests.registry.factories import TokenFactory, row_counts
from tests.registry.test_exchange_support import (
    error_locs,
    file_bytes,
    households,
    upload,
    with_income,
)


async def test_dry_run_reports_and_writes_nothing(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(12)
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes(items), dry_run=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True and report["committed"] is False
    assert report["layout"] == "full" and report["data_year"] == 2018
    assert report["households"] == {"created": 12, "updated": 0, "unchanged": 0}
    assert report["persons"]["created"] == sum(len(h.members) for h in items)
    assert report["errors_total"] == 0 and report["errors"] == []
    assert await row_counts(session) == before


async def test_commit_writes_households_history_and_feed(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(8)
    before = await row_counts(session)
    response = await upload(client, auth(Role.provincial_system), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["committed"] is True
    after = await row_counts(session)
    members = sum(len(h.members) for h in items)
    assert after["household"] - before["household"] == 8
    assert after["member"] - before["member"] == members
    assert after["member_year"] - before["member_year"] == members
    assert after["household_year"] - before["household_year"] == 8
    assert after["change"] - before["change"] == 8
    assert after["audit_log"] - before["audit_log"] == 8 + 1  # per household + the import
    number = items[3].national_number
    household_id = await session.scalar(
        sa.select(Household.id).where(Household.national_number == number)
    )
    history = await client.get(f"/v1/households/{household_id}/history", headers=auth())
    entries = history.json()["items"]
    assert [e["action"] for e in entries] == ["household.import"]
    assert entries[0]["actor_role"] == "provincial_system"
    assert entries[0]["after"]["national_number"] == number
    read = await client.get(f"/v1/households/{household_id}", headers=auth())
    assert read.status_code == 200
    assert read.json()["year"]["per_capita_net_income"] == f"{items[3].per_capita_net_income:.2f}"


async def test_warnings_are_stored_and_listable(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    h = next(x for x in households(30) if x.income is not None and x.income.operating > 0)
    assert h.income is not None
    # Operating income without operating expenses: a warning, not an error.
    warned = with_income(h, operating_expenses=0, property=h.income.property)
    response = await upload(client, auth(), file_bytes([warned]), dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] >= 1
    listed = await client.get(
        "/v1/quality-warnings", params={"rule": "income.operating_without_expenses"}, headers=auth()
    )
    fields = [w["field"] for w in listed.json()["items"]]
    assert fields == ["year.operating_expenses"]


async def test_a_broken_row_is_a_422_naming_row_and_column_and_nothing_is_written(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    text = file_bytes(households(6)).decode("utf-8-sig")
    lines = text.split("\r\n")
    good_id = lines[4].split(",")[7]
    assert len(good_id) == 18
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    lines[4] = lines[4].replace(good_id, bad_id)  # spreadsheet row 5
    before = await row_counts(session)
    response = await upload(client, auth(), "\r\n".join(lines).encode("utf-8-sig"), dry_run=False)
    assert response.status_code == 422
    body = response.json()
    assert ("row", 5, "证件号码") in error_locs(body)
    assert "row 5 证件号码" in body["detail"]
    assert body["report"]["errors_total"] >= 1
    assert await row_counts(session) == before


async def test_one_bad_household_among_good_ones_writes_nothing(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(10)
    two = next(i for i, h in enumerate(items) if len(h.members) >= 2)
    second = replace(items[two].members[1], relation="head")  # two heads
    items[two] = replace(
        items[two], members=(items[two].members[0], second, *items[two].members[2:])
    )
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 422
    rules = {e["type"] for e in response.json()["errors"]}
    assert "household.one_head" in rules
    assert await row_counts(session) == before
    dry = await upload(client, auth(), file_bytes(items), dry_run=True)
    assert dry.status_code == 200
    assert dry.json()["households"]["created"] == 9
    assert dry.json()["errors"][0]["rule"] == "household.one_head"


async def test_reimport_updates_instead_of_duplicating(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(10)
    assert (await upload(client, auth(), file_bytes(items), dry_run=False)).status_code == 200
    changed = replace(items[2], phone="13900000000")
    head = replace(changed.members[0], name="改名人")
    items[2] = replace(changed, members=(head, *changed.members[1:]))
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["households"] == {"created": 0, "updated": 1, "unchanged": 9}
    assert report["persons"]["updated"] == 1 and report["persons"]["created"] == 0
    numbers = [h.national_number for h in items]
    assert (
        await session.scalar(
            sa.select(sa.func.count())
            .select_from(Household)
            .where(Household.national_number.in_(numbers))
        )
        == 10
    )
    household = await session.scalar(
        sa.select(Household).where(Household.national_number == items[2].national_number)
    )
    assert household is not None and household.phone == "13900000000" and household.version == 2
    names = (
        await session.scalars(sa.select(Member.name).where(Member.household_id == household.id))
    ).all()
    assert "改名人" in names
    history = await client.get(f"/v1/households/{household.id}/history", headers=auth())
    assert [e["action"] for e in history.json()["items"]] == ["household.import"] * 2
    assert history.json()["items"][1]["after"]["phone"] == "13900000000"


async def test_a_member_missing_on_reimport_leaves_the_household(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(20)
    i = next(i for i, h in enumerate(items) if len(h.members) >= 3)
    assert (await upload(client, auth(), file_bytes(items), dry_run=False)).status_code == 200
    h = items[i]
    smaller = replace(h, members=h.members[:-1])
    assert smaller.income is not None
    items[i] = with_income(smaller)  # 人均纯收入 over the smaller household
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["persons"]["left"] == 1
    gone = await session.scalar(
        sa.select(Member).where(Member.national_number == h.members[-1].national_number)
    )
    assert gone is not None and gone.left_on is not None and gone.leave_reason == "other"
    record = await session.scalar(
        sa.select(HouseholdYear)
        .join(Household)
        .where(Household.national_number == h.national_number)
    )
    assert record is not None and record.per_capita_net_income == items[i].per_capita_net_income


@pytest.mark.parametrize(
    ("fmt", "encoding", "content_type", "multipart"),
    [
        ("csv", "gb18030", "text/csv", False),
        ("csv", "utf-8-sig", "text/csv", True),
        (
            "xlsx",
            "utf-8-sig",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            False,
        ),
        ("xlsx", "utf-8-sig", "application/octet-stream", True),
    ],
)
async def test_gbk_csv_and_xlsx_raw_or_multipart(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    demo_areas: None,
    fmt: str,
    encoding: str,
    content_type: str,
    multipart: bool,
) -> None:
    content = file_bytes(households(5), fmt=fmt, encoding=encoding)  # type: ignore[arg-type]
    response = await upload(
        client, auth(), content, dry_run=False, content_type=content_type, multipart=multipart
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["format"] == fmt and report["households"]["created"] == 5
    if fmt == "csv":
        assert report["encoding"] == ("gb18030" if encoding == "gb18030" else "utf-8-sig")


async def test_national_layout_needs_a_year_and_stores_unitemised_income(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(4)
    content = file_bytes(items, layout="national")
    missing = await upload(client, auth(), content, dry_run=True)
    assert missing.json()["errors"][0]["column"] == "数据年度"
    wrong = await upload(client, auth(), content, dry_run=True, layout="full")
    assert wrong.status_code == 200  # a national file is a valid full-layout file
    response = await upload(client, auth(), content, dry_run=False, layout="national", year=2018)
    assert response.status_code == 200, response.text
    assert response.json()["layout"] == "national"
    assert response.json()["households"]["created"] == 4
    record = await session.scalar(
        sa.select(HouseholdYear)
        .join(Household)
        .where(Household.national_number == items[0].national_number)
    )
    assert record is not None and record.per_capita_net_income == items[0].per_capita_net_income
    assert record.other_transfer_income == items[0].per_capita_net_income * len(items[0].members)
    listed = await client.get(
        "/v1/quality-warnings", params={"rule": "income.unitemised"}, headers=auth()
    )
    assert len(listed.json()["items"]) == 4
    again = await upload(client, auth(), content, dry_run=True, year=2018)
    assert again.json()["households"]["unchanged"] == 4


async def test_the_full_layout_is_refused_when_national_is_asked_for(
    client: httpx.AsyncClient, auth: TokenFactory, demo_areas: None
) -> None:
    response = await upload(
        client, auth(), file_bytes(households(2)), dry_run=True, layout="national"
    )
    assert response.status_code == 422
    assert ("header", "工资性收入") in error_locs(response.json())


async def test_a_person_twice_in_the_file(
    client: httpx.AsyncClient, auth: TokenFactory, demo_areas: None
) -> None:
    a, b = households(2)
    twin = replace(b.members[0], id_number=a.members[0].id_number, sex=a.members[0].sex,
                   birth_date=a.members[0].birth_date)  # fmt: skip
    b = replace(b, members=(twin, *b.members[1:]))
    response = await upload(client, auth(), file_bytes([a, b]), dry_run=True)
    errors = response.json()["errors"]
    assert any(e["column"] == "证件号码" and e["rule"] == "person.one_household" for e in errors)
    assert errors[0]["row"] == 2 + len(a.members)


async def test_a_person_already_in_a_household_of_the_database(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    a, b = households(2)
    assert (await upload(client, auth(), file_bytes([a]), dry_run=False)).status_code == 200
    taken = replace(b.members[0], id_number=a.members[0].id_number, sex=a.members[0].sex,
                    birth_date=a.members[0].birth_date)  # fmt: skip
    b = replace(b, members=(taken, *b.members[1:]))
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes([b]), dry_run=False)
    assert response.status_code == 422
    assert ("row", 2, "证件号码") in error_locs(response.json())
    assert await row_counts(session) == before


async def test_a_person_may_move_between_two_households_of_the_file(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(30)
    i = next(i for i, h in enumerate(items) if len(h.members) >= 3)
    j = next(j for j, h in enumerate(items) if j != i and len(h.members) >= 2)
    assert (await upload(client, auth(), file_bytes(items), dry_run=False)).status_code == 200
    mover = replace(items[i].members[-1], relation="other")
    items[i] = with_income(replace(items[i], members=items[i].members[:-1]))
    items[j] = with_income(replace(items[j], members=(*items[j].members, mover)))
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["persons"]["left"] == 1
