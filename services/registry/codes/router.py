"""The code lists, so clients show Chinese labels and map national codes themselves.

The lists change only with a deployment, so answers carry a strong ETag and may be cached
by the client; `If-None-Match` gets a 304. `private`: the answer needs a token, so shared
caches must not hand it out.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response
from pydantic import BaseModel, ConfigDict

from services.registry.codes.catalog import CODE_LISTS, CodeList
from shared.auth import CurrentPrincipal
from shared.errors import NotFound

router = APIRouter(prefix="/v1", tags=["codes"])

CACHE_CONTROL = "private, max-age=3600"


class CodeRead(BaseModel):
    code: str
    national: str
    zh: str


class CodeAlias(BaseModel):
    label: str
    code: str


class CodeListRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "poverty_status",
                    "zh": "脱贫状态",
                    "codes": [
                        {"code": "not_exited", "national": "0", "zh": "未脱贫"},
                        {"code": "exited_supported", "national": "1", "zh": "已脱贫(享受政策)"},
                    ],
                    "aliases": [{"label": "已脱贫", "code": "exited_supported"}],
                }
            ]
        }
    )

    name: str
    zh: str
    codes: list[CodeRead]
    aliases: list[CodeAlias]


class CodeListsRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "name": "key_village_designation",
                            "zh": "重点村认定",
                            "codes": [
                                {"code": "provincial", "national": "1", "zh": "省定"},
                                {"code": "city", "national": "2", "zh": "市定"},
                                {"code": "city_2018", "national": "3", "zh": "新认定"},
                            ],
                            "aliases": [],
                        }
                    ]
                }
            ]
        }
    )

    items: list[CodeListRead]


def _read(code_list: CodeList) -> CodeListRead:
    return CodeListRead(
        name=code_list.name,
        zh=code_list.zh,
        codes=[CodeRead(code=c.code, national=c.national, zh=c.zh) for c in code_list.codes],
        aliases=[CodeAlias(label=label, code=code) for label, code in code_list.aliases],
    )


@cache
def _rendered(name: str | None) -> tuple[bytes, str]:
    """The JSON body and its ETag, computed once per process (the lists are constants)."""
    body: Any = (
        CodeListsRead(items=[_read(cl) for cl in CODE_LISTS.values()])
        if name is None
        else _read(CODE_LISTS[name])
    )
    raw = json.dumps(body.model_dump(mode="json"), ensure_ascii=False).encode()
    return raw, '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _answer(name: str | None, if_none_match: str | None) -> Response:
    raw, etag = _rendered(name)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if etag in tags or "*" in tags:
            return Response(status_code=304, headers=headers)
    return Response(raw, media_type="application/json", headers=headers)


IfNoneMatch = Annotated[str | None, Header(description="ETag of a cached copy")]


@router.get(
    "/codes",
    response_model=CodeListsRead,
    summary="Every code list: stable code, national code and Chinese label",
    responses={304: {"description": "The cached copy is current"}},
)
async def list_codes(_: CurrentPrincipal, if_none_match: IfNoneMatch = None) -> Response:
    return _answer(None, if_none_match)


@router.get(
    "/codes/{name}",
    response_model=CodeListRead,
    summary="One code list",
    responses={
        304: {"description": "The cached copy is current"},
        404: {"description": "No code list of that name"},
    },
)
async def get_codes(
    name: Annotated[str, Path(examples=["poverty_cause"])],
    _: CurrentPrincipal,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if name not in CODE_LISTS:
        raise NotFound(f"no code list {name!r}; GET /v1/codes lists them")
    return _answer(name, if_none_match)
