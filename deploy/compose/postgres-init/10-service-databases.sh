#!/usr/bin/env bash
# Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d):
# one login role and one database per service, each role owning only its database.
# Passwords come from the Compose secrets /run/secrets/<service>_db_password.
# (SECRETS_DIR and SERVICES exist for tests/deploy; Compose sets neither.)
set -euo pipefail

secrets_dir="${SECRETS_DIR:-/run/secrets}"
read -r -a services <<< "${SERVICES:-registry eligibility funds reporting}"

for service in "${services[@]}"; do
  password_file="${secrets_dir}/${service}_db_password"
  if [[ ! -r "$password_file" ]]; then
    echo "missing secret $password_file: run deploy/compose/make_secrets.py first" >&2
    exit 1
  fi
  psql --no-psqlrc --set ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" \
       --dbname postgres --set service="$service" \
       --set password="$(tr -d '\n' < "$password_file")" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
