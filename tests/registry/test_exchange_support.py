"""Helpers of the exchange endpoint tests (no tests here): the demo's villages, small
generated files, and uploading them."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas.schemas import TownIn, VillageCreate
from services.registry.areas.service import load_areas
from services.registry.demo import generate_households, write_households
from services.registry.demo.areas import build_areas
from services.registry.demo.district import DEFAULT_SEED
from services.registry.exchange.records import ExchangeHousehold
from services.registry.households.quality import per_capita_net_income

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOWN_KIND = {"镇": "town", "街道": "subdistrict"}
_VILLAGE_KIND = {"村": "village", "居": "community"}


async def demo_villages(session: AsyncSession) -> None:
    """The demo district's towns and villages, which generated households live in."""
    areas = build_areas(random.Random(DEFAULT_SEED))
    await load_areas(
        session,
        [TownIn(code=t.code, name=t.name, kind=_TOWN_KIND[t.kind]) for t in areas.towns],  # type: ignore[arg-type]
        [
            VillageCreate(code=v.code, name=v.name, kind=_VILLAGE_KIND[v.kind])  # type: ignore[arg-type]
            for v in areas.villages
        ],
        [],
        [],
    )


def households(n: int, seed: int = DEFAULT_SEED) -> list[ExchangeHousehold]:
    return list(generate_households(n, seed))


def in_town(town_code: str, n: int) -> list[ExchangeHousehold]:
    """`n` generated households whose village lies in `town_code`."""
    found = [h for h in generate_households(400) if (h.village_code or "").startswith(town_code)]
    assert len(found) >= n
    return found[:n]


def file_bytes(
    items: Iterable[ExchangeHousehold],
    *,
    layout: Literal["national", "full"] = "full",
    fmt: Literal["csv", "xlsx"] = "csv",
    encoding: str = "utf-8-sig",
) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f.{fmt}"
        write_households(items, path, layout=layout, fmt=fmt, encoding=encoding)
        return path.read_bytes()


def with_income(h: ExchangeHousehold, **changes: Any) -> ExchangeHousehold:
    """The household with income components changed and 人均纯收入 recomputed."""
    assert h.income is not None
    income = replace(h.income, **changes)
    return replace(
        h, income=income, per_capita_net_income=per_capita_net_income(income, len(h.members))
    )


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    *,
    dry_run: bool,
    content_type: str = "text/csv",
    multipart: bool = False,
    **params: Any,
) -> httpx.Response:
    query = {"dry_run": str(dry_run).lower(), **{k: str(v) for k, v in params.items()}}
    if multipart:
        return await client.post(
            "/v1/imports",
            params=query,
            headers=headers,
            files={"file": ("贫困人口明细.csv", content, content_type)},
        )
    return await client.post(
        "/v1/imports",
        params=query,
        headers={**headers, "Content-Type": content_type},
        content=content,
    )


def error_locs(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(e["loc"]) for e in body.get("errors", [])]
