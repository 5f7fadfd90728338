"""Optimistic concurrency for updates: ETag on reads, If-Match required on writes."""

from __future__ import annotations

from fastapi import Request, Response

from shared.errors import PreconditionFailed, PreconditionRequired


def etag_of(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_of(version)


def require_if_match(request: Request, version: int) -> None:
    """428 when the client did not say which version it edits, 412 when that version is stale."""
    header = request.headers.get("if-match")
    if header is None:
        raise PreconditionRequired("updates need an If-Match header with the ETag last read")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in candidates and etag_of(version) not in candidates:
        raise PreconditionFailed(
            "the record changed since it was read; read it again and reapply the change",
            extra={"current_etag": etag_of(version)},
        )
