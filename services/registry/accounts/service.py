"""Accounts, passwords (argon2) and the OAuth2 token grants."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from pwdlib import PasswordHash
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.accounts.models import Account, RefreshToken
from services.registry.accounts.schemas import AccountCreate, AccountUpdate, TokenResponse
from shared import audit
from shared.auth import Principal, Role, TokenIssuer
from shared.errors import Conflict, NotFound, Unauthenticated

password_hash = PasswordHash.recommended()
# Verifying against a dummy hash when the user is unknown keeps timing uniform.
_DUMMY_HASH = password_hash.hash("timing-equaliser")


def _token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create_account(session: AsyncSession, actor: Principal, data: AccountCreate) -> Account:
    exists = await session.scalar(sa.select(Account.id).where(Account.username == data.username))
    if exists is not None:
        raise Conflict(f"username {data.username} is taken")
    account = Account(
        username=data.username,
        display_name=data.display_name,
        password_hash=password_hash.hash(data.password),
        role=data.role.value,
        area_code=data.area_code,
    )
    session.add(account)
    await session.flush()
    await audit.record(
        session,
        actor,
        "account.create",
        "account",
        account.id,
        area_code=data.area_code,
        after={"username": data.username, "role": data.role.value, "area_code": data.area_code},
    )
    return account


async def update_account(
    session: AsyncSession,
    actor: Principal,
    account_id: uuid.UUID,
    data: AccountUpdate,
    precondition: Callable[[int], None],
) -> Account:
    """Rename, disable or enable, reset the password; every change moves the version (the
    ETag). The row is locked before If-Match is checked, so the check and the write see
    the same version and a second administrator gets 412, not a lost update."""
    account = await get_account(session, account_id, lock=True)
    unchanged = (
        data.display_name in (None, account.display_name)
        and data.disabled in (None, account.disabled)
        and data.password is None
    )
    if unchanged:
        # Already so: a retried PATCH succeeds whatever its If-Match (RFC 9110 §13.1.1).
        return account
    precondition(account.version)
    before = {"display_name": account.display_name, "disabled": account.disabled}
    if data.display_name is not None:
        account.display_name = data.display_name
    if data.disabled is not None:
        account.disabled = data.disabled
        if data.disabled:
            await session.execute(
                sa.update(RefreshToken)
                .where(RefreshToken.account_id == account.id)
                .values(revoked=True)
            )
    if data.password is not None:
        account.password_hash = password_hash.hash(data.password)
    await session.flush()
    await audit.record(
        session,
        actor,
        "account.update",
        "account",
        account.id,
        area_code=account.area_code,
        before=before,
        after={
            "display_name": account.display_name,
            "disabled": account.disabled,
            "password_changed": data.password is not None,
        },
    )
    return account


async def get_account(
    session: AsyncSession, account_id: uuid.UUID, *, lock: bool = False
) -> Account:
    account = await session.get(Account, account_id, with_for_update=lock, populate_existing=lock)
    if account is None:
        raise NotFound("no such account")
    return account


async def list_accounts(session: AsyncSession, *, after: str | None, limit: int) -> list[Account]:
    query = sa.select(Account).order_by(Account.username).limit(limit)
    if after is not None:
        query = query.where(Account.username > after)
    return list((await session.scalars(query)).all())


async def ensure_bootstrap_admin(session: AsyncSession, username: str, password: str) -> bool:
    """Create the first district administrator when the registry has no account at all."""
    if await session.scalar(sa.select(sa.func.count()).select_from(Account)):
        return False
    session.add(
        Account(
            username=username,
            display_name="区扶贫办管理员",
            password_hash=password_hash.hash(password),
            role=Role.district_admin.value,
            area_code="370404",
        )
    )
    await session.flush()
    return True


async def ensure_service_clients(session: AsyncSession, clients: dict[str, str]) -> None:
    """Make each service client exist with its current secret (rotated by redeploying)."""
    for username, secret in clients.items():
        account = await session.scalar(sa.select(Account).where(Account.username == username))
        if account is None:
            session.add(
                Account(
                    username=username,
                    display_name=f"service {username}",
                    password_hash=password_hash.hash(secret),
                    role=Role.service.value,
                    area_code="370404",
                )
            )
        elif account.role != Role.service.value:
            raise Conflict(f"{username} exists and is not a service account")
        elif not password_hash.verify(secret, account.password_hash):
            account.password_hash = password_hash.hash(secret)
    await session.flush()


async def password_grant(
    session: AsyncSession, issuer: TokenIssuer, username: str, password: str, refresh_ttl: timedelta
) -> TokenResponse:
    account = await session.scalar(sa.select(Account).where(Account.username == username))
    valid = password_hash.verify(password, account.password_hash if account else _DUMMY_HASH)
    if account is None or not valid or account.disabled:
        raise Unauthenticated("wrong username or password, or the account is disabled")
    return await _issue(session, issuer, account, uuid.uuid4(), refresh_ttl)


async def refresh_grant(
    session: AsyncSession, issuer: TokenIssuer, refresh_token: str, refresh_ttl: timedelta
) -> TokenResponse | None:
    """A new token pair, or None when a spent token came back and its chain was revoked.

    Reuse is answered with None rather than an exception so that the revocation commits.
    """
    stored = await session.scalar(
        sa.select(RefreshToken)
        .where(RefreshToken.token_hash == _token_digest(refresh_token))
        .with_for_update()
    )
    now = datetime.now(UTC)
    if stored is None or stored.revoked or stored.expires_at <= now:
        raise Unauthenticated("the refresh token is invalid or expired")
    if stored.used_at is not None:
        # A spent token presented again means it leaked: end the whole chain.
        await session.execute(
            sa.update(RefreshToken)
            .where(RefreshToken.family_id == stored.family_id)
            .values(revoked=True)
        )
        return None
    account = await session.get(Account, stored.account_id)
    if account is None or account.disabled:
        raise Unauthenticated("the account is disabled")
    stored.used_at = now
    return await _issue(session, issuer, account, stored.family_id, refresh_ttl)


async def _issue(
    session: AsyncSession, issuer: TokenIssuer, account: Account, family: uuid.UUID, ttl: timedelta
) -> TokenResponse:
    role = Role(account.role)
    access = issuer.issue(account.username, role, account.area_code, name=account.display_name)
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            account_id=account.id,
            family_id=family,
            token_hash=_token_digest(refresh),
            expires_at=datetime.now(UTC) + ttl,
        )
    )
    await session.flush()
    return TokenResponse(
        access_token=access,
        expires_in=issuer.access_ttl_seconds,
        refresh_token=refresh,
        role=role,
        area_code=account.area_code,
    )
