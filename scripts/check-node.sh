#!/usr/bin/env bash
# Fails with a clear sentence unless Node.js 20.19+ (and npm) can build the
# web UI (Vite 8 needs it; Debian 12's own nodejs 18 is too old).
set -euo pipefail
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Node.js 20.19 or newer with npm is needed to build the web UI (https://nodejs.org, or your distribution's nodejs and npm packages)" >&2
    exit 1
fi
node -e '
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node.js ${process.versions.node} is too old to build the web UI: it needs 20.19 or newer`);
  process.exit(1);
}'
