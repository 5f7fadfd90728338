"""Who may do what (DESIGN.md's matrix, as the funds service applies it): every cell that
says no answers 403 before anything is read or written; without a token, 401 — except
the public disclosure, which anyone may read."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import Role
from tests.funds.factories import TokenFactory

ID = "00000000-0000-4000-8000-0000000000aa"
R = Role

# (method, path, roles allowed): everyone else is refused.
ENDPOINTS: list[tuple[str, str, frozenset[Role]]] = [
    ("POST", "/v1/sources", frozenset({R.finance_officer})),
    ("POST", "/v1/projects", frozenset({R.town_officer})),
    ("PATCH", f"/v1/projects/{ID}", frozenset({R.town_officer})),
    ("POST", f"/v1/projects/{ID}/stages", frozenset({R.town_officer, R.district_admin})),
    ("POST", "/v1/allocations", frozenset({R.finance_officer})),
    ("POST", f"/v1/allocations/{ID}/reversal", frozenset({R.finance_officer})),
    ("POST", "/v1/disbursements", frozenset({R.finance_officer})),
    ("POST", f"/v1/disbursements/{ID}/reversal", frozenset({R.finance_officer})),
    ("POST", f"/v1/households/{ID}/card", frozenset({R.finance_officer})),
    ("POST", f"/v1/projects/{ID}/assets", frozenset({R.district_admin})),
    ("POST", f"/v1/assets/{ID}/incomes", frozenset({R.finance_officer})),
    ("POST", f"/v1/assets/{ID}/distributions", frozenset({R.finance_officer})),
    ("POST", "/v1/ledger/transactions/1/reversal", frozenset({R.finance_officer})),
    ("GET", "/v1/sources", frozenset({R.district_admin, R.finance_officer, R.auditor, R.service})),
    ("GET", f"/v1/sources/{ID}", frozenset({R.district_admin, R.finance_officer, R.auditor, R.service})),
    *(
        ("GET", path, frozenset({R.district_admin, R.town_officer, R.finance_officer, R.auditor, R.service}))
        for path in (
            "/v1/projects", f"/v1/projects/{ID}", "/v1/allocations", f"/v1/allocations/{ID}",
            "/v1/disbursements", f"/v1/disbursements/{ID}", "/v1/assets", f"/v1/assets/{ID}",
        )
    ),
    *(
        ("GET", path, frozenset({R.district_admin, R.finance_officer, R.auditor}))
        for path in (
            "/v1/ledger/trial-balance", "/v1/ledger/transactions", "/v1/ledger/transactions/1",
            "/v1/ledger/accounts/1", "/v1/ledger/accounts/1/entries",
        )
    ),
    *(
        ("GET", path, frozenset({R.district_admin, R.finance_officer, R.auditor, R.service}))
        for path in ("/v1/stats/execution", "/v1/stats/integrated-funds", "/v1/stats/assets")
    ),
    ("GET", f"/v1/households/{ID}/card", frozenset({R.finance_officer, R.auditor})),
    ("GET", "/v1/audit", frozenset({R.auditor})),
]  # fmt: skip

NO_CELLS = [
    pytest.param(method, path, role, id=f"{role.value}-{method}-{path}")
    for method, path, allowed in ENDPOINTS
    for role in Role
    if role not in allowed
]


@pytest.mark.parametrize(("method", "path", "role"), NO_CELLS)
async def test_every_no_cell_is_403(
    client: httpx.AsyncClient, auth: TokenFactory, method: str, path: str, role: Role
) -> None:
    response = await client.request(method, path, json={}, headers=auth(role, "370404"))
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "/problems/forbidden"


def test_the_matrix_says_what_design_md_says() -> None:
    """The cells DESIGN.md names: village cadres never touch funds, district admins never
    pay, auditors never write, the provincial system has no business here."""
    writes = [(m, p, a) for m, p, a in ENDPOINTS if m != "GET"]
    assert all(R.village_cadre not in a and R.auditor not in a for _, _, a in writes)
    assert all(R.village_cadre not in a and R.provincial_system not in a for _, _, a in ENDPOINTS)
    paying = [a for m, p, a in writes if p.startswith(("/v1/disbursements", "/v1/allocations"))]
    assert all(R.district_admin not in a for a in paying)
    assert len(NO_CELLS) == 139  # a new endpoint adds its cells here


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ENDPOINTS])
async def test_without_a_token_it_is_401(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/disclosure/projects",
        "/v1/disclosure/villages",
        "/v1/disclosure/sources",
        "/v1/disclosure/codes",
        "/healthz",
    ],
)
async def test_the_public_reads_without_a_token(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200


async def test_the_code_lists_outside_the_disclosure_need_a_token(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    assert (await client.get("/v1/codes")).status_code == 401
    assert (
        await client.get("/v1/codes", headers=auth(Role.village_cadre, "370404104001"))
    ).status_code == 200


async def test_the_public_view_is_read_only(client: httpx.AsyncClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await client.request(method, "/v1/disclosure/projects", json={})
        assert response.status_code == 405


async def test_a_forged_token_is_401(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    token = auth()["Authorization"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = await client.get("/v1/sources", headers={"Authorization": forged})
    assert response.status_code == 401
