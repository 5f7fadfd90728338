"""Bulk exchange: who may import and export, and the evidence an export leaves.

The import itself is `importer.import_file` (the demo loader calls it too); rows are
streamed by `exporter`. Here: the area a request names must lie inside the caller's, and
every export of personal data is audited — with `unmasked` when it carries full IDs.
"""

from __future__ import annotations

import uuid
from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.exchange.exporter import UNMASKED_ROLES, ExportFilters
from services.registry.exchange.importer import ImportOptions, import_file
from services.registry.exchange.schemas import ImportReport
from shared import audit
from shared.auth import Principal, Role
from shared.errors import NotFound
from shared.idcard import IdCipher

# DESIGN.md: the provincial system does bulk import and export; the district office may
# do everything in the registry. Town and village staff edit households one by one.
IMPORTERS = (Role.district_admin, Role.provincial_system)
# Exchange files carry 健康状况 (a national column), so finance and service do not get them.
EXPORTERS = (
    Role.district_admin,
    Role.provincial_system,
    Role.town_officer,
    Role.village_cadre,
    Role.auditor,
)


async def import_households(
    session: AsyncSession,
    principal: Principal,
    cipher: IdCipher,
    fileobj: IO[bytes],
    options: ImportOptions,
) -> ImportReport:
    return await import_file(session, principal, cipher, fileobj, options)


def check_area(principal: Principal, *codes: str | None) -> None:
    """A town or village outside the caller's area does not exist for them; one around it
    (a town officer's own town asked by a village cadre) narrows nothing further."""
    for code in codes:
        if code is not None and not (
            principal.covers(code) or principal.area_code.startswith(code)
        ):
            raise NotFound(f"no area {code} in your area")


async def record_export(
    session: AsyncSession, principal: Principal, kind: str, filters: ExportFilters
) -> None:
    check_area(principal, filters.village_code, filters.town_code)
    unmasked = kind != "jsonl" and principal.role in UNMASKED_ROLES
    await audit.record(
        session,
        principal,
        "households.export",
        "export",
        uuid.uuid4(),
        area_code=filters.village_code or filters.town_code or principal.area_code,
        after={
            "kind": kind,
            "year": filters.year,
            "village_code": filters.village_code,
            "town_code": filters.town_code,
            "id_numbers": "full" if unmasked else "masked",
        },
    )
