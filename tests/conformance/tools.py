"""Small helpers of schemathesis.sh.

    python tools.py patch-schema SCHEMA OVERRIDES OUT
        applies the JSON Patch operations of OVERRIDES (schema-overrides.json)
        to SCHEMA and writes OUT; prints one line per patch.

    python tools.py coverage OPERATIONS_FILE HAR...
        how often each operation under test answered 2xx (a body checked
        against the success schema), 4xx and 5xx, from schemathesis' HAR
        recordings; names the operations that never answered 2xx, whose
        success shape this run did not check. Informational.

    python tools.py summary SECONDS JUNIT...
        counts the test cases of schemathesis' JUnit reports (one per
        operation, plus one per run for its stateful phase) and prints the
        failed ones and a closing `N passed, N failed, N skipped in Ts` line.
"""

import copy
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from urllib.parse import urlsplit


def _walk(doc, pointer):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    for part in parts[:-1]:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc, parts[-1]


def patch_schema(src, overrides, out):
    schema = json.load(open(src))
    for patch in json.load(open(overrides))["patches"]:
        op, path = patch["op"], patch["path"]
        try:
            parent, key = _walk(schema, path)
            if op == "copy":
                source, source_key = _walk(schema, patch["from"])
                parent[key] = copy.deepcopy(source[source_key])
            elif op == "replace":
                if key not in parent:
                    raise KeyError(key)
                parent[key] = patch["value"]
            elif op == "add":
                parent[key] = patch["value"]
            elif op == "remove":
                del parent[key]
            else:
                sys.exit(f"schema-overrides: unsupported op {op!r}")
        except (KeyError, IndexError, ValueError) as e:
            sys.exit(f"schema-overrides: {op} {path}: nothing at {e}")
        print(f"  {op} {path}")
    with open(out, "w") as f:
        json.dump(schema, f)


def coverage(operations_file, hars):
    templates = []
    for line in open(operations_file):
        if line.strip():
            method, path = line.split()[:2]
            pattern = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "/?$"
            templates.append((path.count("{"), method, path, re.compile(pattern)))
    templates.sort()
    counts = defaultdict(Counter)
    for har in hars:
        for entry in json.load(open(har))["log"]["entries"]:
            method = entry["request"]["method"]
            path = urlsplit(entry["request"]["url"]).path
            status = entry["response"]["status"]
            for _, op_method, op_path, pattern in templates:
                if op_method == method and pattern.match(path):
                    counts[(method, op_path)][f"{status // 100}xx"] += 1
                    break
    never = []
    print("requests per operation (2xx / 4xx / 5xx):")
    for _, method, path, _ in sorted(templates, key=lambda t: t[2]):
        c = counts[(method, path)]
        print(f"  {c['2xx']:4d} {c['4xx']:4d} {c['5xx']:3d}  {method} {path}")
        if not c["2xx"]:
            never.append(f"{method} {path}")
    total = sum(sum(c.values()) for c in counts.values())
    print(f"{total} requests; {len(templates) - len(never)} of {len(templates)} operations answered 2xx at least once")
    for name in never:
        note = " (its successes redirect to /auth/sign_in and are recorded there)" if name == "GET /oauth/authorize" else ""
        print(f"  never 2xx: {name}{note}")


def summary(seconds, reports):
    passed, failed, skipped = 0, [], 0
    for report in reports:
        for case in ET.parse(report).getroot().iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed.append(case.get("name"))
            elif case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
    print()
    for name in failed:
        print(f"FAILED {name}")
    print(f"{passed} passed, {len(failed)} failed, {skipped} skipped in {seconds}s")


def main():
    command, *args = sys.argv[1:]
    if command == "patch-schema":
        patch_schema(*args)
    elif command == "coverage":
        coverage(args[0], args[1:])
    elif command == "summary":
        summary(args[0], args[1:])
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
