"""A small typed client of the registry, on `shared.http.ServiceClient`.

Reads go with the caller's own token: the registry then answers 404 for a household or
village outside the caller's area exactly as for one that does not exist, and shows them
what their role may see. The exit status and a key village's exit year are recorded with
this service's own token (role `service`), which the registry allows to set only those.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from shared.errors import Conflict, Forbidden, NotFound, UpstreamUnavailable
from shared.http import ServiceClient

EXITED = frozenset({"exited_supported", "exited_unsupported"})
EXIT_STATUS = "exited_supported"  # 已脱贫(享受政策): policies stay for three years
_ATTEMPTS = 3


class ExportUnavailable(UpstreamUnavailable):
    """The registry does not serve the streamed export: a run cannot load its households,
    since the list (`GET /v1/households`) gives summaries, not the facts a run assesses."""

    def __init__(self, path: str, response: httpx.Response) -> None:
        super().__init__(
            f"the registry's household export {path} is unavailable "
            f"({response.status_code}: {_detail(response)}); batch runs read households only "
            "from it"
        )


def _body(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise UpstreamUnavailable(f"the registry answered {what} that is not JSON") from exc


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))
    except ValueError:
        return response.text[:200]


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code == 404:
        raise NotFound(f"no such {what}")
    if response.status_code in (401, 403):
        raise Forbidden(
            f"the registry refused the caller ({response.status_code}): {_detail(response)}"
        )
    if response.status_code != 200:
        raise UpstreamUnavailable(f"the registry answered {response.status_code} for the {what}")


class RegistryClient(ServiceClient):
    def __init__(
        self, base_url: str, *, export_path: str = "/v1/exports/households.jsonl", **kwargs: Any
    ) -> None:
        super().__init__("registry", base_url, **kwargs)
        self.export_path = export_path

    # --- reads, with the caller's token ---------------------------------------------------

    async def household(self, household_id: uuid.UUID, year: int, *, token: str) -> dict[str, Any]:
        """The household as of `year` (`GET /v1/households/{id}?year=`); 404 outside the area."""
        response = await self.request(
            "GET", f"/v1/households/{household_id}", token=token, params={"year": year}
        )
        _check(response, "household")
        body: dict[str, Any] = _body(response, "a household")
        return body

    async def village(self, code: str, *, token: str | None = None) -> dict[str, Any]:
        """`GET /v1/villages/{code}`: designations and yearly records."""
        response = await self.request("GET", f"/v1/villages/{code}", token=token)
        _check(response, "village")
        body: dict[str, Any] = _body(response, "a village")
        return body

    async def village_incidence(self, code: str, year: int, *, token: str) -> dict[str, Any] | None:
        """The village's row of `GET /v1/stats/villages?year=` (poor persons not exited)."""
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"year": year, "town_code": code[:9], "limit": 1000}
            if cursor:
                params["cursor"] = cursor
            response = await self.request("GET", "/v1/stats/villages", token=token, params=params)
            _check(response, "village statistics")
            page = _body(response, "village statistics")
            for item in page.get("items", []):
                if item.get("village_code") == code:
                    found: dict[str, Any] = item
                    return found
            cursor = page.get("next_cursor")
            if not cursor:
                return None

    async def export_households(
        self, area: str, year: int, *, token: str
    ) -> AsyncIterator[dict[str, Any]]:
        """Every household of `area` as of `year`, one JSON object per line of the export.

        Raises `ExportUnavailable` before yielding anything when the registry does not serve
        the export.
        """
        params = {"year": year, "area": area}
        async with self.stream("GET", self.export_path, token=token, params=params) as response:
            if response.status_code in (404, 405):
                await response.aread()
                raise ExportUnavailable(self.export_path, response)
            if response.status_code != 200:
                await response.aread()
                _check(response, "household export")
            async for line in response.aiter_lines():
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError as exc:
                        raise UpstreamUnavailable(
                            "the registry's export has a broken line"
                        ) from exc

    # --- writes, with this service's token ------------------------------------------------

    def _require_service_token(self) -> None:
        if self.tokens is None:
            raise UpstreamUnavailable(
                "this service has no registry credentials (ELIGIBILITY_SERVICE_CLIENT_ID and "
                "_SECRET), so it cannot record an exit in the registry"
            )

    async def record_household_exit(
        self, household_id: uuid.UUID, year: int, *, key: str
    ) -> dict[str, Any]:
        """Set 已脱贫 with the exit year; a retry (or an exit already recorded) is harmless."""
        self._require_service_token()
        path = f"/v1/households/{household_id}"
        for _ in range(_ATTEMPTS):
            current = await self.request("GET", path)
            _check(current, "household")
            body: dict[str, Any] = _body(current, "a household")
            if body.get("status") in EXITED:
                if body.get("exit_year") == year:
                    return body
                raise Conflict(
                    f"the registry already records this household as exited in {body.get('exit_year')}"
                )
            response = await self.request(
                "PATCH",
                path,
                json={"status": EXIT_STATUS, "exit_year": year},
                headers={"If-Match": current.headers.get("etag", "*"), "Idempotency-Key": key},
            )
            if response.status_code == 412:  # changed between our read and write: read again
                continue
            if response.status_code == 422:
                raise Conflict(f"the registry refused the exit: {_detail(response)}")
            _check(response, "household")
            updated: dict[str, Any] = _body(response, "a household")
            return updated
        raise Conflict("the household kept changing in the registry; try again")

    async def record_village_exit(
        self, code: str, designation: str, year: int, *, key: str
    ) -> dict[str, Any]:
        """Set the key-village designation's exit year; a retry is harmless."""
        self._require_service_token()
        for _ in range(_ATTEMPTS):
            village = await self.village(code)
            found = next(
                (d for d in village.get("designations", []) if d.get("designation") == designation),
                None,
            )
            if found is None:
                raise Conflict(f"village {code} has no {designation} designation in the registry")
            if found.get("exit_year") == year:
                return dict(found)
            if found.get("exit_year") is not None:
                raise Conflict(
                    f"the registry already records the {designation} designation as ended in "
                    f"{found['exit_year']}"
                )
            response = await self.request(
                "PATCH",
                f"/v1/villages/{code}/designations/{designation}",
                json={"exit_year": year},
                headers={"If-Match": str(found.get("etag", "*")), "Idempotency-Key": key},
            )
            if response.status_code == 412:
                continue
            if response.status_code == 422:
                raise Conflict(f"the registry refused the village exit: {_detail(response)}")
            _check(response, "village designation")
            updated: dict[str, Any] = _body(response, "a designation")
            return updated
        raise Conflict("the village kept changing in the registry; try again")
