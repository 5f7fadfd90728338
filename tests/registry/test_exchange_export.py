"""GET /v1/exports/households(.jsonl): area scoping, masking per role, round trip, shape;
and Idempotency-Key on the import."""

from __future__ import annotations

import csv
import io
import json

import httpx
import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.exchange.layouts import FULL, NATIONAL
from services.registry.households.models import Household
from shared.auth import Role
from shared.models import AuditEntry
from tests.registry.factories import TokenFactory, row_counts
from tests.registry.test_exchange_support import (
    demo_villages,
    file_bytes,
    households,
    in_town,
    upload,
)

TOWN_A, TOWN_B = "370404104", "370404100"  # 峨山镇, 古邵镇


@pytest.fixture
async def imported(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> list[str]:
    """Three households in 峨山镇 and two in 古邵镇, committed; their 户编号."""
    await demo_villages(session)
    items = in_town(TOWN_A, 3) + in_town(TOWN_B, 2)
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    return [h.national_number for h in items]


def table(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def test_a_town_officer_exports_only_their_town_with_masked_ids(
    client: httpx.AsyncClient, auth: TokenFactory, imported: list[str]
) -> None:
    response = await client.get("/v1/exports/households", headers=auth(Role.town_officer, TOWN_A))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = table(response.content)
    assert list(rows[0]) == list(NATIONAL.headers)
    assert {r["户编号"] for r in rows} == set(imported[:3])
    assert {r["乡(镇)"] for r in rows} == {"峨山镇"}
    assert all("********" in r["证件号码"] for r in rows)
    other = await client.get(
        "/v1/exports/households", params={"town_code": TOWN_B},
        headers=auth(Role.town_officer, TOWN_A),
    )  # fmt: skip
    assert other.status_code == 404


@pytest.mark.parametrize("role", [Role.district_admin, Role.provincial_system])
async def test_exchange_roles_get_full_ids_and_the_read_is_audited(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    imported: list[str],
    role: Role,
) -> None:
    response = await client.get(
        "/v1/exports/households", params={"layout": "full", "year": 2018}, headers=auth(role)
    )
    rows = table(response.content)
    assert list(rows[0]) == list(FULL.headers)
    assert {r["户编号"] for r in rows} == set(imported)
    assert all(len(r["证件号码"]) == 18 and "*" not in r["证件号码"] for r in rows)
    entry = await session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "households.export")
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None and entry.actor_role == role.value
    assert entry.after is not None and entry.after["id_numbers"] == "full"


async def test_export_then_import_is_unchanged(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, imported: list[str]
) -> None:
    for layout, params in (("full", {}), ("national", {"year": 2018})):
        exported = await client.get(
            "/v1/exports/households", params={"layout": layout}, headers=auth()
        )
        before = await row_counts(session)
        response = await upload(client, auth(), exported.content, dry_run=True, **params)
        report = response.json()
        assert report["errors_total"] == 0, report["errors"]
        assert report["households"] == {"created": 0, "updated": 0, "unchanged": 5}
        assert report["persons"]["updated"] == 0 and report["persons"]["created"] == 0
        assert await row_counts(session) == before


async def test_xlsx_export(
    client: httpx.AsyncClient, auth: TokenFactory, imported: list[str]
) -> None:
    response = await client.get(
        "/v1/exports/households", params={"format": "xlsx", "village_code": None or ""},
        headers=auth(),
    )  # fmt: skip
    assert response.status_code == 422  # an empty village code is not a code
    response = await client.get("/v1/exports/households", params={"format": "xlsx"}, headers=auth())
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == NATIONAL.headers
    assert {row[4] for row in values[1:]} == set(imported)
    again = await upload(client, auth(), response.content, dry_run=True, year=2018,
                         content_type="application/octet-stream")  # fmt: skip
    assert again.json()["households"]["unchanged"] == 5


async def test_jsonl_lines_are_household_reads(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, imported: list[str]
) -> None:
    response = await client.get(
        "/v1/exports/households.jsonl", params={"year": 2018, "area": TOWN_A},
        headers=auth(Role.service),
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert sorted(line["national_number"] for line in lines) == sorted(imported[:3])
    one = lines[0]
    single = await client.get(f"/v1/households/{one['id']}", params={"year": 2018},
                              headers=auth(Role.service))  # fmt: skip
    assert one == single.json()
    assert all(m["year"]["health"] is None for m in one["members"])  # service: no health
    admin = await client.get("/v1/exports/households.jsonl", headers=auth())
    rows = [json.loads(line) for line in admin.text.splitlines()]
    assert len(rows) == 5 and all(m["year"]["health"] for r in rows for m in r["members"])


async def test_jsonl_keyset_pages_cover_every_household_once(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from services.registry.exchange import exporter

    await demo_villages(session)
    monkeypatch.setattr(exporter, "BATCH", 3)
    items = households(11)
    assert (await upload(client, auth(), file_bytes(items), dry_run=False)).status_code == 200
    response = await client.get("/v1/exports/households.jsonl", headers=auth())
    ids = [json.loads(line)["id"] for line in response.text.splitlines()]
    assert len(ids) == len(set(ids)) == 11
    stored = (await session.scalars(sa.select(Household.id).order_by(Household.id))).all()
    assert ids == [str(i) for i in stored]


async def test_idempotency_key_replays_an_import(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession
) -> None:
    await demo_villages(session)
    content = file_bytes(households(3))
    key = {"Idempotency-Key": "import-2018-01"}
    first = await upload(client, {**auth(), **key}, content, dry_run=False)
    assert first.status_code == 200, first.text
    counts = await row_counts(session)
    again = await upload(client, {**auth(), **key}, content, dry_run=False)
    assert again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert await row_counts(session) == counts
    other = await upload(client, {**auth(), **key}, content, dry_run=True)
    assert other.status_code == 422  # the same key for another request (query differs)
