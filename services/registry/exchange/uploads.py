"""Uploads spooled to a temporary file, and Idempotency-Key without holding the body.

`IdempotentRoute` fingerprints `await request.body()`, which would hold a whole exchange
file (tens of megabytes) in memory. `SpooledUploadRoute` instead streams the body into a
temporary file (memory up to 1 MiB, then disk), hashing it on the way; the fingerprint
covers method, path, query (a dry run and a commit are different requests) and body. With
an Idempotency-Key it then claims, replays and completes exactly as `IdempotentRoute`
does, through the same store, and the endpoint reads the spooled file.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import IO, Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message

from shared.auth import Role, bearer_token, current_principal
from shared.errors import DomainError, FieldError, Forbidden, InvalidInput
from shared.idempotency import HEADER, Claim, IdempotencyStore, current_claim

SPOOL_IN_MEMORY = 1 << 20
MAX_UPLOAD_BYTES = 2 << 30  # 2 GiB: a province-sized file, far above a district's
_REPLAY_CHUNK = 1 << 16


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


@dataclass(slots=True)
class Spooled:
    file: IO[bytes]
    size: int
    fingerprint: str
    content_type: str


def spooled(request: Request) -> Spooled:
    upload: Spooled = request.state.spooled
    upload.file.seek(0)
    return upload


async def _spool(request: Request) -> Spooled:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by the route
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            file.close()
            raise PayloadTooLarge(f"the upload is larger than {MAX_UPLOAD_BYTES} bytes")
        digest.update(chunk)
        file.write(chunk)
    file.seek(0)
    return Spooled(file, size, digest.hexdigest(), request.headers.get("content-type", ""))


def _replaying(request: Request, upload: Spooled) -> Request:
    """The same request whose body is read again from the spooled file (for multipart)."""
    done = False

    async def receive() -> Message:
        nonlocal done
        if done:
            return {"type": "http.disconnect"}
        chunk = upload.file.read(_REPLAY_CHUNK)
        if len(chunk) < _REPLAY_CHUNK:
            done = True
            upload.file.seek(0)
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return Request(request.scope, receive)


class SpooledUploadRoute(APIRoute):
    """Route class of upload endpoints: body spooled to disk, Idempotency-Key honoured.

    Subclasses name the roles that may upload, so a refused caller's body is never read.
    """

    roles: frozenset[Role] = frozenset(Role)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def spooling_handler(request: Request) -> Response:
            if request.method != "POST":
                return await handler(request)
            key = request.headers.get(HEADER)
            if key is not None and not 1 <= len(key) <= 255:
                raise InvalidInput(
                    "Idempotency-Key must be 1 to 255 characters",
                    errors=[FieldError(("header", "Idempotency-Key"), "bad length")],
                )
            # Authenticate before reading a large body from someone who may not send it.
            principal = await current_principal(request, await bearer_token(request))
            if principal.role not in self.roles:
                raise Forbidden(f"role {principal.role.value} may not do this")
            upload = await _spool(request)
            try:
                request.state.spooled = upload
                replay = _replaying(request, upload)
                if key is None:
                    return await handler(replay)
                return await _idempotent(handler, replay, Claim(principal.subject, key), upload)
            finally:
                upload.file.close()

        return spooling_handler


async def _idempotent(
    handler: Callable[[Request], Coroutine[Any, Any, Response]],
    request: Request,
    claim: Claim,
    upload: Spooled,
) -> Response:
    store: IdempotencyStore = request.app.state.idempotency
    answered = await store.claim(claim, request, upload.fingerprint)
    if answered is not None:
        return answered
    reset = current_claim.set(claim)
    try:
        response = await handler(request)
    except BaseException:
        await store.release(claim)
        raise
    finally:
        current_claim.reset(reset)
    if 200 <= response.status_code < 300 and hasattr(response, "body"):
        await store.complete(claim, response)
    else:
        await store.release(claim)
    return response
