"""Signed access tokens (EdDSA, key id, JWKS) and who-may-do-what dependencies.

The registry issues tokens; every service verifies them with public keys from a JWKS
document, so keys rotate by publishing a new key id and an external OIDC provider can
replace the built-in issuer without code changes.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from shared.errors import Forbidden, Unauthenticated

DISTRICT_CODE = "370404"  # 峄城区


class Role(StrEnum):
    district_admin = "district_admin"  # 区扶贫办
    town_officer = "town_officer"  # 镇街扶贫办
    village_cadre = "village_cadre"  # 村两委, 第一书记, 帮扶责任人
    finance_officer = "finance_officer"  # 财政/扶贫办财务
    auditor = "auditor"  # 审计, 纪检
    provincial_system = "provincial_system"  # 省系统
    service = "service"


class AreaLevel(StrEnum):
    district = "district"
    town = "town"
    village = "village"


def area_level(area_code: str) -> AreaLevel:
    """Statistical codes nest: 370404 district, 370404TTT town, 370404TTTVVV village."""
    return {6: AreaLevel.district, 9: AreaLevel.town, 12: AreaLevel.village}[len(area_code)]


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    role: Role
    area_code: str
    token_id: str = ""
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def level(self) -> AreaLevel:
        return area_level(self.area_code)

    def covers(self, area_code: str) -> bool:
        """True when `area_code` (a town or village) lies inside this principal's area."""
        return area_code.startswith(self.area_code)


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.OKPAlgorithm.to_jwk(self.private_key.public_key())
        )
        jwk.update(kid=self.kid, use="sig", alg="EdDSA")
        return jwk


def load_or_create_signing_keys(keys_dir: Path) -> list[SigningKey]:
    """Every `*.pem` under `keys_dir` is a key (file name = key id); the last by name signs.

    Key ids start with their date, so name order is age order — file times are not, on a
    Kubernetes secret mount. A fresh machine gets one generated key; ops rotate by adding a
    newer file and removing the old one once its tokens have expired.
    """
    keys_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(keys_dir.glob("*.pem"))
    if not files:
        kid = time.strftime("%Y%m%d") + "-" + uuid.uuid4().hex[:8]
        path = keys_dir / f"{kid}.pem"
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
        files = [path]
    keys = []
    for path in files:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path.name}: signing keys must be Ed25519")
        keys.append(SigningKey(kid=path.stem, private_key=key))
    return keys


@dataclass(slots=True)
class TokenIssuer:
    keys: list[SigningKey]
    issuer: str
    audience: str
    access_ttl_seconds: int = 900

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    def issue(self, subject: str, role: Role, area_code: str, **extra: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "role": role.value,
            "area": area_code,
            "iat": now,
            "exp": now + self.access_ttl_seconds,
            "jti": uuid.uuid4().hex,
            **extra,
        }
        return jwt.encode(
            claims, self.current.private_key, algorithm="EdDSA", headers={"kid": self.current.kid}
        )

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys]}


# How many verified tokens a verifier remembers (a few hundred bytes each).
VERIFIED_TOKENS_KEPT = 4096


@dataclass(slots=True)
class TokenVerifier:
    """Verifies tokens against known public keys, refetching the JWKS on an unknown key id.

    A verified token is remembered until it expires (at most `VERIFIED_TOKENS_KEPT`, least
    recently used dropped first), so a client's next requests with the same token skip the
    EdDSA check: the token and its claims cannot change, and keys are only ever added.
    """

    issuer: str
    audience: str
    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    jwks_url: str | None = None
    # Never fetched: the clock's origin is arbitrary (boot time), so 0 could still be "recent".
    _last_fetch: float = float("-inf")
    _verified: OrderedDict[str, tuple[float, Principal]] = field(
        default_factory=OrderedDict, repr=False
    )

    @classmethod
    def from_signing_keys(
        cls, keys: Iterable[SigningKey], *, issuer: str, audience: str
    ) -> TokenVerifier:
        return cls(issuer, audience, {k.kid: k.private_key.public_key() for k in keys})

    async def refresh(self) -> None:
        if self.jwks_url is None:
            return
        # Throttled so a flood of tokens with a bogus kid cannot hammer the issuer.
        if time.monotonic() - self._last_fetch < 10:
            return
        self._last_fetch = time.monotonic()
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(self.jwks_url)
            response.raise_for_status()
        for jwk in response.json().get("keys", []):
            key = jwt.PyJWK(jwk).key
            if isinstance(key, Ed25519PublicKey):
                self.keys[str(jwk["kid"])] = key

    async def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None:
            expires, principal = remembered
            # As PyJWT decides: expired once the clock reaches `exp` (no leeway).
            if time.time() < expires:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal = await self._verify(token)
        self._verified[token] = (float(principal.claims["exp"]), principal)
        if len(self._verified) > VERIFIED_TOKENS_KEPT:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            kid = str(jwt.get_unverified_header(token).get("kid", ""))
        except jwt.PyJWTError as exc:
            raise Unauthenticated("the token is malformed") from exc
        if kid not in self.keys:
            try:
                await self.refresh()
            except httpx.HTTPError as exc:
                raise Unauthenticated("the token's signing key cannot be fetched") from exc
        key = self.keys.get(kid)
        if key is None:
            raise Unauthenticated("the token is signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("the token is invalid") from exc
        try:
            role = Role(claims["role"])
            area = str(claims["area"])
            area_level(area)
        except (KeyError, ValueError) as exc:
            raise Unauthenticated("the token lacks a valid role or area") from exc
        return Principal(str(claims["sub"]), role, area, str(claims.get("jti", "")), claims)


SIGN_IN_PATH = "/v1/auth/token"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=SIGN_IN_PATH, auto_error=False)


async def bearer_token(request: Request) -> str:
    token = await oauth2_scheme(request)
    if not token:
        raise Unauthenticated("a bearer token is required")
    return token


async def current_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise Unauthenticated("a bearer token is required")
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(token)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class _RoleGuard(OAuth2PasswordBearer):
    """The bearer-token scheme (as OpenAPI shows it) that also verifies the token and the
    caller's role: one dependency where a scheme, CurrentPrincipal and a role check would
    be three, each costing FastAPI ≈10 µs on every request to the endpoints it guards."""

    def __init__(self, roles: Iterable[Role]) -> None:
        super().__init__(
            tokenUrl=SIGN_IN_PATH,
            scheme_name=oauth2_scheme.scheme_name,
            auto_error=False,
        )
        self.allowed = frozenset(roles)

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        principal = await current_principal(request, await super().__call__(request))
        if principal.role not in self.allowed:
            raise Forbidden(f"role {principal.role.value} may not do this")
        return principal


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    return _RoleGuard(roles)
