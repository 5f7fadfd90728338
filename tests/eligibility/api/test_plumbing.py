"""Operations: health, readiness, metrics, the CLI, the audit log, and an OpenAPI document
with a summary and examples for every endpoint."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import Role
from tests.eligibility.api.factories import TokenFactory


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["migrations"] == "at head"
    assert (await client.get("/metrics")).status_code == 200


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def _has_example(content: dict[str, Any], document: dict[str, Any]) -> bool:
    if "example" in content or "examples" in content:
        return True
    schema = _resolve(content.get("schema", {}), document)
    if "examples" in schema or "example" in schema:
        return True
    if schema.get("type") == "array":
        return "examples" in _resolve(schema.get("items", {}), document)
    return False


def test_every_endpoint_has_a_summary_and_examples(eligibility_app: FastAPI) -> None:
    document = eligibility_app.openapi()
    missing = []
    for path, operations in document["paths"].items():
        if not path.startswith("/v1"):
            continue
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            if not operation.get("summary"):
                missing.append(f"{name}: summary")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and not _has_example(body, document):
                missing.append(f"{name}: request example")
            for status in ("200", "201", "202"):
                answer = (
                    operation["responses"]
                    .get(status, {})
                    .get("content", {})
                    .get("application/json")
                )
                if answer is not None and not _has_example(answer, document):
                    missing.append(f"{name}: {status} example")
    assert missing == []


async def test_auditors_read_the_audit_log(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    added = await client.post(
        "/v1/parameters/cpi.rural/values",
        json={"effective": "2030-01-01", "value": "101", "source": "统计公报"},
        headers=auth(Role.district_admin, subject="admin"),
    )
    assert added.status_code == 201
    log = await client.get(
        "/v1/audit", params={"entity": "parameter", "entity_id": "cpi.rural@2030-01-01"},
        headers=auth(Role.auditor),
    )  # fmt: skip
    assert [(e["action"], e["actor"]) for e in log.json()] == [("parameter.add", "admin")]


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"], ["migrate", "--help"]])
def test_the_service_cli(argv: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "services.eligibility", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout
