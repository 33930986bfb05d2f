#!/usr/bin/env bash
# Builds the web UI and Loggia and runs it on SQLite at http://localhost:8080, creating a
# first admin account (its password is printed) unless one exists.
#
# Environment (all optional): LOGGIA_* settings (see docs/configuration.md),
# ADMIN_USERNAME (default admin), ADMIN_EMAIL (default admin@example.com).
set -euo pipefail
cd "$(dirname "$0")/.."

export LOGGIA_DOMAIN="${LOGGIA_DOMAIN:-localhost:8080}"
export LOGGIA_PROTOCOL="${LOGGIA_PROTOCOL:-http}"
export LOGGIA_LISTEN="${LOGGIA_LISTEN:-127.0.0.1:8080}"
admin_username="${ADMIN_USERNAME:-admin}"
admin_email="${ADMIN_EMAIL:-admin@example.com}"

echo "==> building the web UI (frontend/, with npm)"
scripts/check-node.sh
npm --prefix frontend ci --no-audit --no-fund --loglevel=error
npm --prefix frontend run build --silent

echo "==> building Loggia (release; the web UI is embedded)"
cargo build --release --locked
bin="${CARGO_TARGET_DIR:-target}/release/loggia"

echo "==> preparing the database (${LOGGIA_DATABASE_URL:-sqlite://loggia.db})"
"$bin" admin create-user --username "$admin_username" --email "$admin_email" --role admin --skip-if-admin-exists

echo "==> starting Loggia at $LOGGIA_PROTOCOL://$LOGGIA_DOMAIN (Ctrl-C to stop)"
echo "    Open $LOGGIA_PROTOCOL://$LOGGIA_DOMAIN/ and sign in, or point any Mastodon app at $LOGGIA_DOMAIN."
exec "$bin" serve
