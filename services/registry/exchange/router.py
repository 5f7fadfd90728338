"""HTTP endpoints of the bulk exchange: import a flat file, export households."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from services.registry.deps import IdCipherDep
from services.registry.exchange import exporter, service
from services.registry.exchange.exporter import ExportFilters
from services.registry.exchange.importer import ImportOptions
from services.registry.exchange.schemas import (
    ExportFormat,
    ExportLayout,
    ImportReport,
    LayoutChoice,
)
from services.registry.exchange.uploads import SpooledUploadRoute, spooled
from shared.auth import Principal, Role, require_roles
from shared.db import DbSession, read_connection
from shared.errors import FieldError, InvalidInput

Importer = Annotated[Principal, Depends(require_roles(*service.IMPORTERS))]
Exporter = Annotated[Principal, Depends(require_roles(*service.EXPORTERS))]
Reader = Annotated[Principal, Depends(require_roles(*Role))]
YearQuery = Annotated[int | None, Query(ge=2014, le=2100, description="数据年度 data year")]
VillageCode = Annotated[str | None, Query(pattern=r"^\d{12}$", examples=["370404104001"])]
TownCode = Annotated[str | None, Query(pattern=r"^\d{9}$", examples=["370404104"])]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_RAW_BODY = {"schema": {"type": "string", "format": "binary"}}


class ImportRoute(SpooledUploadRoute):
    roles = frozenset(service.IMPORTERS)


import_router = APIRouter(prefix="/v1", tags=["exchange"], route_class=ImportRoute)
router = APIRouter(prefix="/v1", tags=["exchange"])


@import_router.post(
    "/imports",
    response_model=ImportReport,
    summary="Import households from a flat file (贫困人口明细): dry run, or all-or-nothing commit",
    description=(
        "The national flat file or the full layout, as CSV (UTF-8 or GBK) or XLSX, sent as "
        "multipart `file` or as the raw body (`text/csv`, XLSX). Households are matched by "
        "户编号 and members by 人编号 (else ID number): a re-import updates, never duplicates, "
        "and members the file no longer lists leave the household. Every household runs the "
        "national data-quality rules. `dry_run=true` (the default) reports what would "
        "happen; `dry_run=false` writes everything or, on any error, nothing and answers "
        "422 with the first 1000 errors at their row and column. Idempotency-Key is "
        "honoured; the body is fingerprinted while it is spooled to disk."
    ),
    responses={
        413: {"description": "The upload is larger than the limit"},
        422: {"description": "A bad header, or (on commit) any error: nothing was written"},
    },
    openapi_extra={"requestBody": {"content": {"text/csv": _RAW_BODY, XLSX: _RAW_BODY}}},
)
async def import_households(
    request: Request,
    session: DbSession,
    principal: Importer,
    cipher: IdCipherDep,
    file: Annotated[UploadFile | None, File(description="the exchange file")] = None,
    dry_run: Annotated[bool, Query(description="report only, write nothing")] = True,
    layout: Annotated[LayoutChoice, Query(description="expected layout")] = LayoutChoice.auto,
    year: YearQuery = None,
) -> Any:
    upload = file.file if file is not None else spooled(request).file
    if file is None and spooled(request).size == 0:
        raise InvalidInput(
            "no file: send it as multipart `file` or as the request body",
            errors=[FieldError(("body", "file"), "missing", "missing")],
        )
    options = ImportOptions(
        dry_run=dry_run, layout=layout, year=year, filename=file.filename if file else None
    )
    return await service.import_households(session, principal, cipher, upload, options)


def _filename(layout: str, fmt: str, year: int | None) -> str:
    return f"households-{layout}{'-' + str(year) if year else ''}.{fmt}"


@router.get(
    "/exports/households",
    response_class=StreamingResponse,
    summary="Export households of your area as a flat file (national or full layout)",
    description=(
        "Streamed as it is read. Full ID numbers for district_admin and provincial_system "
        "(audited); the masked form (370404********123X) for everyone else."
    ),
    responses={
        200: {"content": {"text/csv": _RAW_BODY, XLSX: _RAW_BODY}},
        404: {"description": "The village or town is not in your area"},
    },
)
async def export_households(
    request: Request,
    session: DbSession,
    principal: Exporter,
    cipher: IdCipherDep,
    layout: ExportLayout = ExportLayout.national,
    format: ExportFormat = ExportFormat.csv,
    year: YearQuery = None,
    village_code: VillageCode = None,
    town_code: TownCode = None,
) -> StreamingResponse:
    filters = ExportFilters(year, village_code, town_code)
    await service.record_export(session, principal, format.value, filters)
    batches = exporter.exchange_rows(
        request.app.state.sessionmaker, principal, cipher, layout.value, filters
    )
    headers = {"Content-Disposition": f'attachment; filename="{_filename(layout, format, year)}"'}
    if format is ExportFormat.csv:
        return StreamingResponse(
            exporter.csv_stream(batches, layout.value),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )

    async def workbook() -> AsyncIterator[bytes]:
        path = await exporter.xlsx_file(batches, layout.value)
        for chunk in exporter.file_chunks(path):
            yield chunk

    return StreamingResponse(workbook(), media_type=XLSX, headers=headers)


@router.get(
    "/exports/households.jsonl",
    response_class=StreamingResponse,
    summary="Households of your area as NDJSON, one GET /v1/households/{id} body per line",
    description=(
        "For batch runs (the eligibility service): keyset-paginated server-side, streamed. "
        "`area` narrows to a town or village; `year` picks the data year (else each "
        "household's latest). Health details as GET /v1/households/{id} shows them to you."
    ),
    responses={
        200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
        404: {"description": "The area is not in your area"},
    },
)
async def export_households_jsonl(
    request: Request,
    session: DbSession,
    principal: Reader,
    year: YearQuery = None,
    area: Annotated[
        str | None, Query(pattern=r"^370404(\d{3}|\d{6})?$", examples=["370404104"])
    ] = None,
) -> StreamingResponse:
    village = area if area is not None and len(area) == 12 else None
    town = area if area is not None and len(area) == 9 else None
    filters = ExportFilters(year, village, town)
    await service.record_export(session, principal, "jsonl", filters)
    return StreamingResponse(
        exporter.jsonl_stream(partial(read_connection, request), principal, filters),
        media_type="application/x-ndjson",
    )
