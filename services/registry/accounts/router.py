from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request, Response
from fastapi.responses import JSONResponse

from services.registry.accounts import service
from services.registry.accounts.schemas import (
    AccountCreate,
    AccountRead,
    AccountUpdate,
    TokenResponse,
)
from shared.auth import Principal, Role, TokenIssuer, require_roles
from shared.db import DbReadSession, DbSession
from shared.errors import FieldError, InvalidInput, PreconditionRequired, problem
from shared.etag import require_if_match, set_etag
from shared.idempotency import IdempotentRoute
from shared.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1", tags=["accounts"], route_class=IdempotentRoute)
keys_router = APIRouter(tags=["accounts"])
DistrictAdmin = Annotated[Principal, Depends(require_roles(Role.district_admin))]
AccountId = Annotated[uuid.UUID, Path(description="The account's id")]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such account"}}
_UPDATE: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    412: {"description": "If-Match names a version that is no longer current"},
    428: {"description": "If-Match is missing"},
}


def _issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.issuer
    return issuer


def _refresh_ttl(request: Request) -> timedelta:
    return timedelta(days=request.app.state.settings.refresh_token_ttl_days)


@router.post(
    "/auth/token",
    summary="OAuth2 token: password, refresh_token or client_credentials grant",
    response_model=TokenResponse,
    responses={401: {"description": "Wrong credentials, disabled account or spent refresh token"}},
)
async def token(
    request: Request,
    session: DbSession,
    grant_type: Annotated[str, Form(examples=["password"])] = "password",
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> Any:
    issuer, ttl = _issuer(request), _refresh_ttl(request)
    if grant_type == "password" and username and password:
        return await service.password_grant(session, issuer, username, password, ttl)
    if grant_type == "client_credentials" and client_id and client_secret:
        return await service.password_grant(session, issuer, client_id, client_secret, ttl)
    if grant_type == "refresh_token" and refresh_token:
        issued = await service.refresh_grant(session, issuer, refresh_token, ttl)
        if issued is None:
            return problem(
                401,
                "Not authenticated",
                "the refresh token was already used; sign in again",
                type_slug="unauthenticated",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return issued
    raise InvalidInput(
        f"grant {grant_type} needs its fields",
        errors=[FieldError(("body", "grant_type"), "unsupported grant or missing credentials")],
    )


@keys_router.get(
    "/.well-known/jwks.json",
    summary="Public keys that verify access tokens (JWKS)",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "keys": [
                            {
                                "kty": "OKP",
                                "crv": "Ed25519",
                                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                                "kid": "20181001-1a2b3c4d",
                                "use": "sig",
                                "alg": "EdDSA",
                            }
                        ]
                    }
                }
            }
        }
    },
)
async def jwks(request: Request) -> JSONResponse:
    return JSONResponse(_issuer(request).jwks(), headers={"Cache-Control": "public, max-age=300"})


@router.post(
    "/accounts",
    response_model=AccountRead,
    status_code=201,
    summary="Create an account (district admin); ETag for If-Match",
    responses={409: {"description": "Idempotency-Key in flight, or the username is taken"}},
)
async def create_account(
    data: AccountCreate, session: DbSession, actor: DistrictAdmin, response: Response
) -> Any:
    account = await service.create_account(session, actor, data)
    response.headers["Location"] = f"/v1/accounts/{account.id}"
    set_etag(response, account.version)
    return account


@router.get("/accounts", response_model=Page[AccountRead], summary="List accounts (district admin)")
async def list_accounts(
    session: DbReadSession, _: DistrictAdmin, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    position = decode_cursor(cursor)
    accounts = await service.list_accounts(
        session, after=position[0] if position else None, limit=limit
    )
    next_cursor = encode_cursor(accounts[-1].username) if len(accounts) == limit else None
    return Page[AccountRead](
        items=[AccountRead.model_validate(a) for a in accounts], next_cursor=next_cursor
    )


@router.get(
    "/accounts/{account_id}",
    response_model=AccountRead,
    summary="An account (district admin); ETag for If-Match",
    responses=_NOT_FOUND,
)
async def get_account(
    account_id: AccountId, session: DbReadSession, _: DistrictAdmin, response: Response
) -> Any:
    account = await service.get_account(session, account_id)
    set_etag(response, account.version)
    return account


@router.patch(
    "/accounts/{account_id}",
    response_model=AccountRead,
    summary="Disable, rename or reset an account (If-Match required)",
    responses=_UPDATE,
)
async def update_account(
    account_id: AccountId,
    data: AccountUpdate,
    request: Request,
    session: DbSession,
    actor: DistrictAdmin,
    response: Response,
) -> Any:
    if request.headers.get("if-match") is None:
        raise PreconditionRequired("updates need an If-Match header with the ETag last read")
    precondition = partial(require_if_match, request)
    account = await service.update_account(session, actor, account_id, data, precondition)
    set_etag(response, account.version)
    return account
