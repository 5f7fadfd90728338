"""Who may do what (DESIGN.md's matrix, as the eligibility service applies it): every cell
that says no answers 403 before anything is read or written; without a token, 401."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from services.eligibility import roles
from shared.auth import Role
from tests.eligibility.api.factories import TokenFactory

ID = "00000000-0000-4000-8000-0000000000aa"
V = "370404104001"
R = Role
EVERYONE = frozenset(Role)
ASSESSORS = frozenset(roles.ASSESSORS)
READERS = frozenset(roles.CASE_READERS)
VILLAGE_STEP = frozenset({R.village_cadre, R.district_admin})
TOWN_STEP = frozenset({R.town_officer, R.district_admin})
DISTRICT = frozenset({R.district_admin})

# (method, path, roles allowed): everyone else is refused.
ENDPOINTS: list[tuple[str, str, frozenset[Role]]] = [
    ("GET", "/v1/parameters", EVERYONE),
    ("GET", "/v1/parameters/poverty_line.provincial", EVERYONE),
    ("GET", "/v1/parameters/poverty_line.provincial/value?on=2019-01-01", EVERYONE),
    ("POST", "/v1/parameters/cpi.rural/values", DISTRICT),
    ("GET", "/v1/benefits", EVERYONE),
    ("GET", "/v1/benefits/dibao", EVERYONE),
    ("POST", "/v1/benefits/dibao/calculate", EVERYONE),
    ("POST", f"/v1/households/{ID}/entitlements?year=2019", ASSESSORS),
    ("POST", f"/v1/households/{ID}/exit-assessment?year=2019", ASSESSORS),
    ("POST", "/v1/exit-assessments", ASSESSORS),
    ("POST", f"/v1/villages/{V}/exit-assessment?year=2019", ASSESSORS),
    ("POST", "/v1/village-exit-assessments", ASSESSORS),
    ("POST", f"/v1/villages/{V}/key-village-identification?year=2019", ASSESSORS),
    ("POST", "/v1/key-village-identifications", ASSESSORS),
    ("POST", f"/v1/households/{ID}/identification?year=2019", ASSESSORS),
    ("POST", "/v1/identifications", ASSESSORS),
    ("POST", "/v1/exit-cases", VILLAGE_STEP),
    ("GET", "/v1/exit-cases", READERS),
    ("GET", f"/v1/exit-cases/{ID}", READERS),
    ("POST", f"/v1/exit-cases/{ID}/notice", VILLAGE_STEP),
    ("POST", f"/v1/exit-cases/{ID}/objections", VILLAGE_STEP),
    ("POST", f"/v1/exit-cases/{ID}/town-review", TOWN_STEP),
    ("POST", f"/v1/exit-cases/{ID}/announcement", TOWN_STEP),
    ("POST", f"/v1/exit-cases/{ID}/deregistration", DISTRICT),
    ("POST", f"/v1/exit-cases/{ID}/withdrawal", frozenset({R.village_cadre, R.town_officer, R.district_admin})),
    ("POST", "/v1/village-exit-cases", TOWN_STEP),
    ("GET", "/v1/village-exit-cases", READERS),
    ("GET", f"/v1/village-exit-cases/{ID}", READERS),
    ("POST", f"/v1/village-exit-cases/{ID}/notice", TOWN_STEP),
    ("POST", f"/v1/village-exit-cases/{ID}/objections", TOWN_STEP),
    ("POST", f"/v1/village-exit-cases/{ID}/district-evaluation", DISTRICT),
    ("POST", f"/v1/village-exit-cases/{ID}/approval", DISTRICT),
    ("POST", f"/v1/village-exit-cases/{ID}/deregistration", DISTRICT),
    ("POST", f"/v1/village-exit-cases/{ID}/withdrawal", TOWN_STEP),
    ("POST", "/v1/runs", frozenset({R.district_admin, R.town_officer})),
    ("GET", "/v1/runs", frozenset({R.district_admin, R.town_officer, R.auditor})),
    ("GET", f"/v1/runs/{ID}", frozenset({R.district_admin, R.town_officer, R.auditor})),
    ("GET", f"/v1/runs/{ID}/results", frozenset({R.district_admin, R.town_officer, R.auditor})),
    ("GET", f"/v1/runs/{ID}/results/h1", frozenset({R.district_admin, R.town_officer, R.auditor})),
    ("GET", "/v1/stats/exit-cases?year=2019", EVERYONE),
    ("GET", "/v1/audit", frozenset({R.district_admin, R.auditor})),
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
    area = {R.village_cadre: V, R.town_officer: V[:9]}.get(role, "370404")
    response = await client.request(method, path, json={}, headers=auth(role, area))
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "/problems/forbidden"


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ENDPOINTS])
async def test_without_a_token_401(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_matrix_says_what_design_md_says() -> None:
    """Auditors, finance, the provincial system and other services write nothing here;
    village cadres approve nothing; only the district office sets parameters or deregisters."""
    writes = [
        (m, p, a)
        for m, p, a in ENDPOINTS
        if m == "POST" and ("/exit-cases" in p or "/parameters/" in p or p == "/v1/runs")
    ]
    for _, _, allowed in writes:
        assert not allowed & {R.auditor, R.finance_officer, R.provincial_system, R.service}
    approving = [
        a
        for m, p, a in writes
        if p.endswith(("/town-review", "/deregistration", "/approval", "/district-evaluation"))
    ]
    assert all(R.village_cadre not in a for a in approving)
    assert all(
        a == DISTRICT for m, p, a in writes if p.endswith("/deregistration") or "/parameters/" in p
    )


def test_every_route_is_in_the_matrix(eligibility_app: FastAPI) -> None:
    """A new endpoint must be added to ENDPOINTS, with the roles it allows."""
    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in eligibility_app.openapi()["paths"].items()
        if path.startswith("/v1")
        for method in operations
    }
    concrete = (
        r"(?<=/)("
        + "|".join([ID, V, "dibao", r"poverty_line\.provincial", r"cpi\.rural", "h1"])
        + r")(?=/|$)"
    )
    listed = {(m, re.sub(concrete, "{}", p.split("?")[0])) for m, p, _ in ENDPOINTS}
    assert documented == listed
