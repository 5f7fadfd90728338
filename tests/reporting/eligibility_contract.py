"""A stand-in for the eligibility service's two read endpoints reporting relies on: exit
cases counted per village and state, and a batch run with its summary, with fixed figures a
test can check. It scopes by the token's area claim the way the real service does and
refuses a request without a token; `test_eligibility_contract.py` checks that its answers
are valid answers of the real service's schemas, and reads the real service too."""

from __future__ import annotations

from typing import Any

import jwt
from fastapi import FastAPI, HTTPException, Request

RUN_ID = "5f0c8f0a-2b3e-4c5d-8e9f-0a1b2c3d4e5f"
RUN_SUMMARY: dict[str, Any] = {
    "households": 10178,
    "facts_invalid": 0,
    "invalid_facts": {},
    "persons": 17428,
    "exit": {"candidates": 450, "passed": 312, "failed": 138,
             "failing_reasons": {"stable_income": 120, "basic_medical": 18}},
    "entitlements": {
        "targeted_households": 1874,
        "by_benefit": [
            {"code": "elderly_allowance", "period": "year", "unit": "yuan",
             "amount": "93240.00", "households": 251},
            {"code": "free_electricity", "period": "year", "unit": "kwh",
             "amount": "12000.00", "households": 100},
        ],
        "totals": [{"period": "year", "unit": "yuan", "amount": "4123456.00"},
                   {"period": "year", "unit": "kwh", "amount": "12000.00"}],
    },
}  # fmt: skip


def cases(villages: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Exit cases of 2018: a few in procedure and deregistered in two villages."""
    first_eshan, first_gushao = villages["370404104"][0], villages["370404100"][0]
    return [
        {"town_code": "370404104", "village_code": first_eshan, "state": "review", "cases": 2},
        {"town_code": "370404104", "village_code": first_eshan, "state": "announcement", "cases": 1},
        {"town_code": "370404104", "village_code": first_eshan, "state": "deregistered", "cases": 5},
        {"town_code": "370404104", "village_code": first_eshan, "state": "withdrawn", "cases": 1},
        {"town_code": "370404100", "village_code": first_gushao, "state": "village_notice", "cases": 3},
    ]  # fmt: skip


def _area(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        raise HTTPException(401, "a bearer token is required")
    claims = jwt.decode(header[7:], options={"verify_signature": False})
    return str(claims["area"])


def contract_app(villages: dict[str, list[str]]) -> FastAPI:
    app = FastAPI()
    known = cases(villages)

    @app.get("/v1/stats/exit-cases")
    async def exit_cases(request: Request, year: int, town_code: str | None = None) -> Any:
        area = _area(request)
        items = [
            c for c in known
            if year == 2018 and c["village_code"].startswith(area)
            and (town_code is None or c["town_code"] == town_code)
        ]  # fmt: skip
        return {"year": year, "items": items}

    @app.get("/v1/runs/{run_id}")
    async def run(request: Request, run_id: str) -> Any:
        area = _area(request)
        if run_id != RUN_ID or area != "370404":
            raise HTTPException(404, "no such run")
        return run_body()

    return app


def run_body() -> dict[str, Any]:
    return {
        "id": RUN_ID, "year": 2018, "area_code": "370404", "status": "done",
        "requested_by": "admin", "created_at": "2019-01-03T09:59:00Z",
        "started_at": "2019-01-03T09:59:01Z", "finished_at": "2019-01-03T10:00:00Z",
        "households_loaded": 10178, "households_total": 10178, "results_stored": 10178,
        "source": "export", "error": None, "parameters_revision": "1/1/2019-01-01T00:00:00Z",
        "parameters": [], "summary": RUN_SUMMARY,
    }  # fmt: skip
