#!/bin/sh
# Runs once, when the PostgreSQL container initialises its data directory: the tier's own
# login role, no superuser, owner of the tier's database and nothing else; SCRAM passwords.
set -eu
: "${PLENARIA_APP_PASSWORD:?set PLENARIA_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" -v pw="$PLENARIA_APP_PASSWORD" <<'SQL'
SET password_encryption = 'scram-sha-256';
CREATE ROLE plenaria_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'pw';
ALTER DATABASE :"db" OWNER TO plenaria_app;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO plenaria_app;
SQL
