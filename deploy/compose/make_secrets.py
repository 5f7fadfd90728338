"""Generate the local secrets `docker compose` reads, under deploy/compose/secrets/.

    .venv/bin/python deploy/compose/make_secrets.py           # once, before `docker compose up`
    .venv/bin/python deploy/compose/make_secrets.py --force   # new values (then drop the volume)

Nothing here is committed (secrets/.gitignore). Existing files are kept unless --force,
because the database passwords must keep matching the PostgreSQL volume they created.

Writes:
- postgres_password, <service>_db_password: Compose `secrets:` for the postgres container
  (its init script creates one role and database per service with these passwords);
- <service>.env: the service's secret settings (`<P>DATABASE_URL` with its password, the
  registry's ID-number keys and first administrator's password, the other services'
  client credentials, the funds service's card-number key), read by Compose as `env_file`;
- signing-keys/<kid>.pem: the registry's Ed25519 token-signing key, mounted read-only.

The directory is 0700 (only you on this machine); the files inside are readable by the
container users (postgres uid 999, the services' uid 10001), which are not you.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVICES = ("registry", "eligibility", "funds", "reporting")


def _token() -> str:
    return secrets.token_urlsafe(24)  # URL-safe: goes into database URLs as is


def _key32() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _write(path: Path, text: str, mode: int, force: bool) -> bool:
    if path.exists() and not force:
        return False
    path.write_text(text)
    path.chmod(mode)
    return True


def _signing_key(keys_dir: Path, force: bool) -> None:
    keys_dir.mkdir(mode=0o755, exist_ok=True)
    if any(keys_dir.glob("*.pem")) and not force:
        return
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        sys.exit("needs the `cryptography` package: run it with the project's .venv/bin/python")
    for old in keys_dir.glob("*.pem"):
        old.unlink()
    kid = time.strftime("%Y%m%d") + "-" + secrets.token_hex(4)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = keys_dir / f"{kid}.pem"
    path.write_bytes(pem)
    path.chmod(0o644)


def main(argv: list[str] | None = None, out: Path = HERE / "secrets") -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--force", action="store_true", help="replace existing secrets")
    args = parser.parse_args(argv)
    out.mkdir(exist_ok=True)
    out.chmod(0o700)

    _write(out / "postgres_password", _token(), 0o644, args.force)
    for service in SERVICES:
        password_file = out / f"{service}_db_password"
        _write(password_file, _token(), 0o644, args.force)
        password = password_file.read_text().strip()
        prefix = service.upper()
        lines = [f"{prefix}_DATABASE_URL=postgresql://{service}:{password}@postgres:5432/{service}"]
        if service == "registry":
            lines += [
                f"REGISTRY_ID_ENCRYPTION_KEY={_key32()}",
                f"REGISTRY_ID_LOOKUP_KEY={_key32()}",
                f"REGISTRY_BOOTSTRAP_ADMIN_PASSWORD={_token()}",
            ]
        else:
            lines += [
                f"{prefix}_SERVICE_CLIENT_ID=svc-{service}",
                f"{prefix}_SERVICE_CLIENT_SECRET={_token()}",
            ]
        if service == "funds":
            lines.append(f"FUNDS_CARD_ENCRYPTION_KEY={_key32()}")
        _write(out / f"{service}.env", "\n".join(lines) + "\n", 0o600, args.force)
    _signing_key(out / "signing-keys", args.force)
    print(f"secrets for docker compose are in {out}")
    print(
        "first administrator: username 'admin', password in registry.env "
        "(REGISTRY_BOOTSTRAP_ADMIN_PASSWORD)"
    )


if __name__ == "__main__":
    main()
