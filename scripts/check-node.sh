#!/usr/bin/env bash
# Fails with a clear sentence unless Node.js (20.19+ or 22.12+) and npm can build the
# web UI (Vite 8 needs it; Debian 12's own nodejs 18 is too old).
set -euo pipefail
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Node.js 20.19+ or 22.12+ with npm is needed to build the web UI (https://nodejs.org, or your distribution's nodejs and npm packages)" >&2
    exit 1
fi
node -e '
const [major, minor] = process.versions.node.split(".").map(Number);
// What Vite 8 supports: ^20.19.0 || >=22.12.0.
if (major < 20 || (major === 20 && minor < 19) || major === 21 || (major === 22 && minor < 12)) {
  console.error(`Node.js ${process.versions.node} cannot build the web UI: it needs 20.19+ or 22.12+`);
  process.exit(1);
}'
