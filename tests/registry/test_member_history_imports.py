"""A member's history includes the bulk imports that wrote or released them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from tests.registry.factories import TokenFactory
from tests.registry.test_exchange_support import (
    file_bytes,
    households,
    upload,
    with_income,
)


async def _history(client: httpx.AsyncClient, auth: TokenFactory, url: str) -> list[dict[str, Any]]:
    response = await client.get(f"{url}/history", headers=auth())
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_imports_that_create_change_and_release_a_member_are_in_their_history(
    client: httpx.AsyncClient, auth: TokenFactory, demo_areas: None
) -> None:
    h = next(h for h in households(200) if len(h.members) >= 3)
    assert (await upload(client, auth(), file_bytes([h]), dry_run=False)).status_code == 200
    found = await client.post(
        "/v1/persons/search", json={"id_number": h.members[1].id_number}, headers=auth()
    )
    match = found.json()["items"][0]
    household_id = match["household_id"]
    document = (await client.get(f"/v1/households/{household_id}", headers=auth())).json()
    by_name = {m["name"]: m["id"] for m in document["members"]}
    changed, leaving, other = (by_name[m.name] for m in h.members[1:3] + h.members[:1])

    # Second import: one member's relation changes; third: another member is gone.
    h2 = replace(h, members=(h.members[0], replace(h.members[1], relation="other"), *h.members[2:]))
    assert (await upload(client, auth(), file_bytes([h2]), dry_run=False)).status_code == 200
    h3 = with_income(replace(h2, members=tuple(m for m in h2.members if m is not h2.members[2])))
    assert (await upload(client, auth(), file_bytes([h3]), dry_run=False)).status_code == 200

    url = f"/v1/households/{household_id}/members"
    first = await _history(client, auth, f"{url}/{changed}")
    assert [e["action"] for e in first] == ["household.import", "household.import"]
    assert first[0]["before"] is None and first[0]["after"]["name"] == h.members[1].name
    assert first[1]["after"]["relation"] == "other"
    second = await _history(client, auth, f"{url}/{leaving}")
    assert [e["action"] for e in second] == ["household.import", "household.import"]
    assert second[1]["before"]["name"] == h.members[2].name and second[1]["after"] is None
    # The head took part in neither later import.
    assert [e["action"] for e in await _history(client, auth, f"{url}/{other}")] == [
        "household.import"
    ]
