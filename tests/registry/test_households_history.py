"""Evidence of writes: the household's history from the audit log (who, when, before,
after; ID numbers masked), change-feed rows without personal data, stored warnings."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role
from shared.models import AuditEntry, Change
from shared.pagination import encode_cursor
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    TOWN,
    VILLAGE,
    TokenFactory,
    household_body,
    id_number,
    make_areas,
    member_body,
)


@pytest.fixture(autouse=True)
async def areas(session: AsyncSession) -> None:
    await make_areas(session)


async def test_history_lists_every_write_with_masked_snapshots(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    body = household_body()
    cadre = auth(Role.village_cadre, VILLAGE, subject="wang.cadre")
    created = (await client.post("/v1/households", json=body, headers=cadre)).json()
    url = f"/v1/households/{created['id']}"
    son = f"{url}/members/{created['members'][2]['id']}"
    corrected = id_number("20080416", "013")
    steps = [
        await client.patch(
            url, json={"phone": "13900000000"}, headers={**cadre, "If-Match": '"1"'}
        ),
        await client.patch(
            son, json={"id_number": corrected}, headers={**cadre, "If-Match": '"1"'}
        ),
        await client.post(
            f"{url}/members/{created['members'][1]['id']}/remove",
            json={"left_on": "2019-06-18", "reason": "married_out"},
            headers=auth(Role.town_officer, TOWN, subject="li.town"),
        ),
    ]
    assert [s.status_code for s in steps] == [200, 200, 200]

    entries = (await client.get(f"{url}/history", headers=auth(Role.auditor))).json()["items"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("household.create", "wang.cadre"),
        ("household.update", "wang.cadre"),
        ("member.update", "wang.cadre"),
        ("member.remove", "li.town"),
    ]
    create, phone, id_fix, removal = entries
    assert create["before"] is None
    assert [m["id_number_masked"] for m in create["after"]["members"]] == [
        "370404********0312",
        "370404********0245",
        "370404********0115",
    ]
    assert create["after"]["year"]["per_capita_net_income"] == "4060.00"
    assert (phone["before"], phone["after"]) == ({"phone": "13805401234"}, {"phone": "13900000000"})
    assert id_fix["before"]["id_number_masked"] == "370404********0115"
    assert id_fix["after"]["id_number_masked"] == corrected[:6] + "********" + corrected[-4:]
    assert id_fix["after"]["birth_date"] == "2008-04-16"
    assert (removal["before"]["left_on"], removal["after"]["left_on"]) == (None, "2019-06-18")

    # No full ID number, nor its ciphertext or hash, anywhere in the audit log.
    rows = (await session.scalars(sa.select(AuditEntry))).all()
    dumped = json.dumps([[r.before, r.after] for r in rows], ensure_ascii=False)
    for full in [m["id_number"] for m in body["members"]] + [corrected]:
        assert full not in dumped
    assert "id_number_hash" not in dumped and "id_number_cipher" not in dumped


async def test_history_pages_with_a_cursor(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    created = (await client.post("/v1/households", json=household_body(), headers=auth())).json()
    url = f"/v1/households/{created['id']}"
    for version, phone in enumerate(["13900000001", "13900000002"], start=1):
        patch = await client.patch(
            url, json={"phone": phone}, headers={**auth(), "If-Match": f'"{version}"'}
        )
        assert patch.status_code == 200
    first = (await client.get(f"{url}/history", params={"limit": 2}, headers=auth())).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await client.get(
        f"{url}/history", params={"limit": 2, "cursor": first["next_cursor"]}, headers=auth()
    )
    assert [e["after"] for e in rest.json()["items"]] == [{"phone": "13900000002"}]
    forged = await client.get(
        f"{url}/history", params={"cursor": encode_cursor("1; drop")}, headers=auth()
    )
    assert forged.status_code == 422


async def test_every_write_appends_a_feed_row_without_personal_data(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    body = household_body()
    created = (await client.post("/v1/households", json=body, headers=auth())).json()
    url = f"/v1/households/{created['id']}"
    writes = [
        await client.put(
            f"{url}/years/2019", json=body["year"], headers={**auth(), "If-Match": '"1"'}
        ),
        await client.put(
            f"{url}/members/{created['members'][2]['id']}/years/2019",
            json={"school_status": "grade7", "health": ["healthy"]},
            headers={**auth(), "If-Match": '"2"'},
        ),
    ]
    assert [w.status_code for w in writes] == [200, 200]
    feed = (
        await session.scalars(
            sa.select(Change).where(Change.entity_id == created["id"]).order_by(Change.id)
        )
    ).all()
    assert [(c.entity, c.op, c.area_code) for c in feed] == [("household", "upsert", VILLAGE)] * 3
    assert [c.payload for c in feed] == [
        {"version": 1, "status": "not_exited"},
        {"version": 2, "status": "not_exited"},
        {"version": 3, "status": "not_exited"},
    ]


async def test_quality_warnings_are_listed_by_area_year_severity_and_rule(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    # An exited household in a D-grade house is flagged; operating income without
    # expenses is a warning.
    exited = household_body(status="exited_supported", exit_year=2019)
    exited["year"] |= {"house_grade": "D", "operating_expenses": "0"}
    first = await client.post("/v1/households", json=exited, headers=auth())
    assert first.status_code == 201, first.text
    other = household_body(
        village_code=NEIGHBOUR_VILLAGE,
        members=[member_body("赵大海", "head", "19600202", "017", labour="ordinary")],
        main_cause="lack_funds",
        year={"pension_income": "4800.00", "operating_income": "100.00"},
    )
    second = await client.post("/v1/households", json=other, headers=auth())
    assert second.status_code == 201, second.text

    async def rules(headers: dict[str, str], **params: Any) -> list[tuple[str, str]]:
        response = await client.get("/v1/quality-warnings", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return sorted((w["rule"], w["household_id"]) for w in response.json()["items"])

    a, b = first.json()["id"], second.json()["id"]
    assert await rules(auth()) == sorted(
        [
            ("exited.dangerous_house", a),
            ("income.operating_without_expenses", a),
            ("income.operating_without_expenses", b),
        ]
    )
    assert await rules(auth(), severity="flag") == [("exited.dangerous_house", a)]
    assert await rules(auth(), rule="income.operating_without_expenses", village_code=VILLAGE) == [
        ("income.operating_without_expenses", a)
    ]
    assert await rules(auth(Role.village_cadre, NEIGHBOUR_VILLAGE)) == [
        ("income.operating_without_expenses", b)
    ]
    assert await rules(auth(), year=2018) == []

    page = (await client.get("/v1/quality-warnings", params={"limit": 2}, headers=auth())).json()
    rest = await client.get(
        "/v1/quality-warnings", params={"limit": 2, "cursor": page["next_cursor"]}, headers=auth()
    )
    assert len(page["items"]) + len(rest.json()["items"]) == 3
