"""Seeds a running Loggia for the schema-conformance run and writes the
schemathesis configuration that points the fuzzer at the seeded data.

    python seed.py BASE_URL USERS_JSON OPERATIONS_FILE OUT_TOML

OPERATIONS_FILE: the operations under test, `METHOD PATH STATUS` a line.

USERS_JSON: {"a": {"username", "email", "password"}, "b": {...}, ...} —
the users "a" to "f" created by schemathesis.sh. "a" is the user
schemathesis acts as; "b" follows it and is followed, replies, favourites,
boosts and mentions; "c" and "d" ask to follow it (one request to
authorize, one to reject), "c" writes to it directly and "d" is followed
(lists take only followed accounts); "e" is the one follow and unfollow
are aimed at, "f" the one block and mute are, so that they do not undo the
others' relationships (nor each other's: a blocked account cannot be
followed). So the read operations have real
objects, and real notifications, to return.

The configuration binds each path parameter to a dictionary of real ids
with a probability below 1: most generated requests hit a real object (and
so get a 200 whose body is checked against the schema), the rest keep the
generated value (and so exercise the 404 path). Operations that destroy
their object (DELETE, dismiss, authorize/reject) get ids of their own
throwaway objects so that they do not take the shared ones away from the
read operations.
"""

import datetime
import json
import struct
import sys
import zlib

import requests

TIMEOUT = 30
SCOPES = "read write follow push"
OOB = "urn:ietf:wg:oauth:2.0:oob"
CALLBACK = "https://app.example/callback"
# Probability that a bound parameter takes a value from its dictionary.
HIT = 0.8


def tiny_png(width=4, height=3):
    raw = b"".join(b"\x00" + bytes([200, 60, 30]) * width for _ in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Api:
    def __init__(self, base, token=None):
        self.base = base
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, expect=200, **kw):
        r = self.http.request(method, self.base + path, timeout=TIMEOUT, **kw)
        if r.status_code != expect:
            sys.exit(f"seed: {method} {path}: {r.status_code} {r.text[:500]}")
        return r.json() if r.content and "json" in r.headers.get("content-type", "") else None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.call("PATCH", path, **kw)


def token_for(base, user):
    anon = Api(base)
    app = anon.post(
        "/api/v1/apps",
        data={
            "client_name": f"conformance {user['username']}",
            "redirect_uris": OOB,
            "scopes": SCOPES,
        },
    )
    tok = anon.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": user["email"],
            "password": user["password"],
            "scope": SCOPES,
        },
    )
    return tok["access_token"]


def seed(base, users):
    tokens = {key: token_for(base, user) for key, user in users.items()}
    a, b, c, d = (Api(base, tokens[k]) for k in "abcd")
    me = {k: Api(base, tokens[k]).get("/api/v1/accounts/verify_credentials") for k in users}
    ids = {k: me[k]["id"] for k in me}

    # Follows both ways between a and b (c's and d's follows of a, once a
    # is locked, become pending requests: below).
    b.post(f"/api/v1/accounts/{ids['a']}/follow")
    a.post(f"/api/v1/accounts/{ids['b']}/follow")
    # Lists take only followed accounts: d is the one the list operations
    # add and remove.
    a.post(f"/api/v1/accounts/{ids['d']}/follow")

    # A status of a's with a picture, a hashtag and a mention, edited once
    # (history), replied to, favourited, boosted, bookmarked and pinned.
    media = a.post(
        "/api/v2/media",
        files={"file": ("dot.png", tiny_png(), "image/png")},
        data={"description": "a red dot"},
    )
    spare_media = a.post(
        "/api/v1/media",
        files={"file": ("dot.png", tiny_png(6, 5), "image/png")},
        data={"description": "another red dot"},
    )
    tag = "conformance"
    status = a.post(
        "/api/v1/statuses",
        json={
            "status": f"Hello @{users['b']['username']} #{tag}",
            "visibility": "public",
            "media_ids": [media["id"]],
            "language": "en",
        },
    )
    a.put(
        f"/api/v1/statuses/{status['id']}",
        json={
            "status": f"Hello again @{users['b']['username']} #{tag}",
            "media_ids": [media["id"]],
            "spoiler_text": "edited",
        },
    )
    reply = b.post(
        "/api/v1/statuses",
        json={"status": f"@{users['a']['username']} hi back #{tag}", "in_reply_to_id": status["id"]},
    )
    b.post(f"/api/v1/statuses/{status['id']}/favourite")
    b.post(f"/api/v1/statuses/{status['id']}/reblog")
    a.post(f"/api/v1/statuses/{status['id']}/bookmark")
    a.post(f"/api/v1/statuses/{status['id']}/pin")
    a.post(f"/api/v1/statuses/{reply['id']}/favourite")
    unlisted = a.post("/api/v1/statuses", json={"status": "quietly", "visibility": "unlisted"})
    private = a.post("/api/v1/statuses", json={"status": "followers only", "visibility": "private"})
    b_status = b.post("/api/v1/statuses", json={"status": f"b says hi #{tag}"})
    status_ids = [status["id"], reply["id"], unlisted["id"], private["id"], b_status["id"]]
    doomed_statuses = [
        a.post("/api/v1/statuses", json={"status": f"to be deleted {i}"})["id"] for i in range(4)
    ]

    # Direct conversations: one to read, one to delete.
    b.post(
        "/api/v1/statuses",
        json={"status": f"@{users['a']['username']} psst", "visibility": "direct"},
    )
    c.post(
        "/api/v1/statuses",
        json={"status": f"@{users['a']['username']} psst too", "visibility": "direct"},
    )
    conversations = [conv["id"] for conv in a.get("/api/v1/conversations")]
    if len(conversations) < 2:
        sys.exit(f"seed: expected 2 conversations, got {conversations}")

    # a locks the account, c and d ask to follow.
    a.patch("/api/v1/accounts/update_credentials", data={"locked": "true"})
    c.post(f"/api/v1/accounts/{ids['a']}/follow")
    d.post(f"/api/v1/accounts/{ids['a']}/follow")

    # A poll of b's (a votes in it), featured tags and scheduled posts of a's.
    poll_status = b.post(
        "/api/v1/statuses",
        json={"status": "Lunch where?", "poll": {"options": ["here", "there", "anywhere"], "expires_in": 86400}},
    )
    featured = a.post("/api/v1/featured_tags", data={"name": tag})
    doomed_featured = [a.post("/api/v1/featured_tags", data={"name": f"doomed{i}"})["id"] for i in range(3)]
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).isoformat()
    scheduled = a.post("/api/v1/statuses", json={"status": "Later", "scheduled_at": later})
    doomed_scheduled = [
        a.post("/api/v1/statuses", json={"status": f"Later {i}", "scheduled_at": later})["id"] for i in range(3)
    ]

    # Lists: one to read and change, two to delete.
    the_list = a.post("/api/v1/lists", data={"title": "colleagues"})
    a.post(f"/api/v1/lists/{the_list['id']}/accounts", data={"account_ids[]": [ids["b"]]})
    doomed_lists = [a.post("/api/v1/lists", data={"title": f"doomed {i}"})["id"] for i in range(2)]

    # Filters, v2 and v1: one of each kind to read, more to delete.
    def v2_filter(title):
        return a.post(
            "/api/v2/filters",
            json={
                "title": title,
                "context": ["home", "public"],
                "filter_action": "warn",
                "keywords_attributes": [{"keyword": f"{title}word", "whole_word": True}],
            },
        )

    filt = v2_filter("spoilers")
    doomed_filters = [v2_filter(f"doomed{i}")["id"] for i in range(2)]
    keyword = filt["keywords"][0]
    doomed_keywords = [
        a.post(f"/api/v2/filters/{filt['id']}/keywords", json={"keyword": f"gone{i}"})["id"]
        for i in range(2)
    ]
    filter_status = a.post(f"/api/v2/filters/{filt['id']}/statuses", json={"status_id": b_status["id"]})
    doomed_filter_statuses = [
        a.post(f"/api/v2/filters/{filt['id']}/statuses", json={"status_id": sid})["id"]
        for sid in (reply["id"], unlisted["id"])
    ]
    v1_filter = a.post("/api/v1/filters", json={"phrase": "v1word", "context": ["home"]})
    doomed_v1_filters = [
        a.post("/api/v1/filters", json={"phrase": f"v1gone{i}", "context": ["public"]})["id"]
        for i in range(2)
    ]

    a.post(f"/api/v1/tags/{tag}/follow")
    a.post("/api/v1/domain_blocks", data={"domain": "blocked.example"})
    a.post("/api/v1/markers", json={"home": {"last_read_id": status["id"]}})

    notifications = [n["id"] for n in a.get("/api/v1/notifications", params={"limit": 40})]
    if len(notifications) < 4:
        sys.exit(f"seed: expected notifications for a, got {notifications}")

    # An app of its own for the OAuth operations (client_credentials
    # grants; the sign-in page), so that nothing they do touches a's token.
    oauth_app = Api(base).post(
        "/api/v1/apps",
        json={"client_name": "conformance oauth", "redirect_uris": [OOB, CALLBACK], "scopes": "read write"},
    )

    return {
        "token": tokens["a"],
        "client_ids": [oauth_app["client_id"]],
        "client_secrets": [oauth_app["client_secret"]],
        "redirect_uris": [OOB, CALLBACK],
        "response_types": ["code"],
        "code_challenge_methods": ["S256"],
        # BASE64URL(SHA256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")), RFC 7636's example
        "code_challenges": ["E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
        "grant_types": ["client_credentials"],
        "scopes": ["read", "read write"],
        "domains": ["blocked.example", "spam.example"],
        "titles": ["muted words", "travel"],
        "filter_actions": ["warn", "hide"],
        "list_candidates": [ids["d"]],
        "accounts": [ids[k] for k in sorted(ids)],
        "follow_targets": [ids["e"]],
        "block_targets": [ids["f"]],
        "acct": [users[k]["username"] for k in sorted(users)],
        "follow_request_to_authorize": [ids["c"]],
        "follow_request_to_reject": [ids["d"]],
        "statuses": status_ids,
        "doomed_statuses": doomed_statuses,
        "conversations": conversations[:1],
        "doomed_conversations": conversations[1:],
        "lists": [the_list["id"]],
        "doomed_lists": doomed_lists,
        "media": [media["id"], spare_media["id"]],
        "filters": [filt["id"]],
        "doomed_filters": doomed_filters,
        "keywords": [keyword["id"]],
        "doomed_keywords": doomed_keywords,
        "filter_statuses": [filter_status["id"]],
        "doomed_filter_statuses": doomed_filter_statuses,
        "v1_filters": [v1_filter["id"]],
        "doomed_v1_filters": doomed_v1_filters,
        "notifications": notifications[: len(notifications) // 2],
        "doomed_notifications": notifications[len(notifications) // 2 :],
        "tags": [tag],
        "polls": [poll_status["poll"]["id"]],
        "featured_tags": [featured["id"]],
        "doomed_featured_tags": doomed_featured,
        "scheduled": [scheduled["id"]],
        "doomed_scheduled": doomed_scheduled,
    }


# Which dictionary each parameter of an operation takes:
# (METHOD, PATH) -> {parameter: dictionary or (dictionary, probability)},
# with schemathesis' parameter names: path.id, query.acct, body.a.b,
# body.list[*]. The probability is HIT unless given. Operations and
# parameters not listed keep purely generated values.
def bindings():
    acc = {"path.id": "accounts"}
    follow_target = {"path.id": "follow_targets"}
    block_target = {"path.id": "block_targets"}
    st = {"path.id": "statuses"}
    table = {
        ("GET", "/api/v1/accounts/{id}"): acc,
        ("GET", "/api/v1/accounts/{id}/statuses"): acc,
        ("GET", "/api/v1/accounts/{id}/followers"): acc,
        ("GET", "/api/v1/accounts/{id}/following"): acc,
        ("GET", "/api/v1/accounts/{id}/lists"): acc,
        ("GET", "/api/v1/accounts/{id}/featured_tags"): acc,
        ("POST", "/api/v1/accounts/{id}/follow"): follow_target,
        ("POST", "/api/v1/accounts/{id}/unfollow"): follow_target,
        ("POST", "/api/v1/accounts/{id}/block"): block_target,
        ("POST", "/api/v1/accounts/{id}/unblock"): block_target,
        ("POST", "/api/v1/accounts/{id}/mute"): block_target,
        ("POST", "/api/v1/accounts/{id}/unmute"): block_target,
        ("GET", "/api/v1/accounts/lookup"): {"query.acct": "acct"},
        ("POST", "/api/v1/follow_requests/{account_id}/authorize"): {
            "path.account_id": "follow_request_to_authorize"
        },
        ("POST", "/api/v1/follow_requests/{account_id}/reject"): {
            "path.account_id": "follow_request_to_reject"
        },
        ("POST", "/api/v1/statuses"): {"body.in_reply_to_id": "statuses"},
        ("GET", "/api/v1/statuses/{id}"): st,
        ("PUT", "/api/v1/statuses/{id}"): st,
        ("DELETE", "/api/v1/statuses/{id}"): {"path.id": "doomed_statuses"},
        ("GET", "/api/v1/timelines/tag/{hashtag}"): {"path.hashtag": "tags"},
        ("GET", "/api/v1/timelines/list/{list_id}"): {"path.list_id": "lists"},
        ("GET", "/api/v1/lists/{id}"): {"path.id": "lists"},
        ("PUT", "/api/v1/lists/{id}"): {"path.id": "lists"},
        ("DELETE", "/api/v1/lists/{id}"): {"path.id": "doomed_lists"},
        ("GET", "/api/v1/lists/{id}/accounts"): {"path.id": "lists"},
        ("POST", "/api/v1/lists/{id}/accounts"): {"path.id": "lists", "body.account_ids[*]": "list_candidates"},
        ("POST", "/api/v1/markers"): {
            "body.home.last_read_id": "statuses",
            "body.notifications.last_read_id": "notifications",
        },
        # Reports about other users (mostly refused: the statuses are not theirs).
        ("POST", "/api/v1/reports"): {"body.account_id": "follow_targets", "body.status_ids[*]": "statuses"},
        ("POST", "/api/v1/domain_blocks"): {"body.domain": "domains"},
        ("DELETE", "/api/v1/domain_blocks"): {"body.domain": "domains"},
        ("POST", "/api/v1/apps"): {"body.redirect_uris[*]": "redirect_uris", "body.scopes": "scopes"},
        # The run's own token belongs to another app, which these
        # credentials cannot revoke; the token is always generated.
        ("POST", "/oauth/revoke"): {
            "body.client_id": "client_ids",
            "body.client_secret": "client_secrets",
        },
        ("POST", "/oauth/token"): {
            "body.client_id": "client_ids",
            "body.client_secret": "client_secrets",
            "body.grant_type": "grant_types",
            "body.scope": "scopes",
        },
        # Five parameters must all be right for the sign-in page: always.
        ("GET", "/oauth/authorize"): {
            "query.client_id": ("client_ids", 1.0),
            "query.redirect_uri": ("redirect_uris", 1.0),
            "query.response_type": ("response_types", 1.0),
            "query.scope": ("scopes", 1.0),
            "query.code_challenge_method": ("code_challenge_methods", 1.0),
            "query.code_challenge": ("code_challenges", 1.0),
        },
        ("POST", "/api/v2/filters"): {"body.title": "titles", "body.filter_action": "filter_actions"},
        ("DELETE", "/api/v1/lists/{id}/accounts"): {"path.id": "lists", "body.account_ids[*]": "list_candidates"},
        ("DELETE", "/api/v1/conversations/{id}"): {"path.id": "doomed_conversations"},
        ("POST", "/api/v1/conversations/{id}/read"): {"path.id": "conversations"},
        ("GET", "/api/v1/notifications/{id}"): {"path.id": "notifications"},
        ("POST", "/api/v1/notifications/{id}/dismiss"): {"path.id": "doomed_notifications"},
        ("GET", "/api/v1/media/{id}"): {"path.id": "media"},
        ("PUT", "/api/v1/media/{id}"): {"path.id": "media"},
        ("GET", "/api/v2/filters/{id}"): {"path.id": "filters"},
        ("PUT", "/api/v2/filters/{id}"): {"path.id": "filters"},
        ("DELETE", "/api/v2/filters/{id}"): {"path.id": "doomed_filters"},
        ("GET", "/api/v2/filters/{filter_id}/keywords"): {"path.filter_id": "filters"},
        ("POST", "/api/v2/filters/{filter_id}/keywords"): {"path.filter_id": "filters"},
        ("GET", "/api/v2/filters/keywords/{id}"): {"path.id": "keywords"},
        ("PUT", "/api/v2/filters/keywords/{id}"): {"path.id": "keywords"},
        ("DELETE", "/api/v2/filters/keywords/{id}"): {"path.id": "doomed_keywords"},
        ("GET", "/api/v2/filters/{filter_id}/statuses"): {"path.filter_id": "filters"},
        ("POST", "/api/v2/filters/{filter_id}/statuses"): {
            "path.filter_id": "filters",
            "body.status_id": "statuses",
        },
        ("GET", "/api/v2/filters/statuses/{id}"): {"path.id": "filter_statuses"},
        ("DELETE", "/api/v2/filters/statuses/{id}"): {"path.id": "doomed_filter_statuses"},
        ("GET", "/api/v1/filters/{id}"): {"path.id": "v1_filters"},
        ("PUT", "/api/v1/filters/{id}"): {"path.id": "v1_filters"},
        ("DELETE", "/api/v1/filters/{id}"): {"path.id": "doomed_v1_filters"},
        ("GET", "/api/v1/polls/{id}"): {"path.id": "polls"},
        ("POST", "/api/v1/polls/{id}/votes"): {"path.id": "polls"},
        ("DELETE", "/api/v1/featured_tags/{id}"): {"path.id": "doomed_featured_tags"},
        ("GET", "/api/v1/scheduled_statuses/{id}"): {"path.id": "scheduled"},
        ("PUT", "/api/v1/scheduled_statuses/{id}"): {"path.id": "scheduled"},
        ("DELETE", "/api/v1/scheduled_statuses/{id}"): {"path.id": "doomed_scheduled"},
        ("GET", "/api/v1/tags/{name}"): {"path.name": "tags"},
        ("POST", "/api/v1/tags/{name}/follow"): {"path.name": "tags"},
        ("POST", "/api/v1/tags/{name}/unfollow"): {"path.name": "tags"},
    }
    for action in (
        "context", "source", "history", "favourite", "unfavourite", "reblog", "unreblog",
        "bookmark", "unbookmark", "pin", "unpin", "favourited_by", "reblogged_by",
    ):
        method = "GET" if action in ("context", "source", "history", "favourited_by", "reblogged_by") else "POST"
        table[(method, f"/api/v1/statuses/{{id}}/{action}")] = st
    return table


# Write operations whose generated input is mostly refused (half of it is
# deliberately invalid, and most status bodies carry a poll or a
# scheduled_at, which Loggia refuses with 422): more examples, so that some
# are accepted and the success answer is checked too.
MORE_EXAMPLES = {
    ("POST", "/api/v1/statuses"): 60,
    ("PUT", "/api/v1/statuses/{id}"): 40,
    ("POST", "/api/v1/markers"): 30,
    ("POST", "/api/v2/filters"): 30,
    ("POST", "/api/v1/filters"): 30,
    ("POST", "/api/v1/apps"): 30,
    ("POST", "/oauth/revoke"): 30,
    ("POST", "/oauth/token"): 30,
    ("POST", "/api/v1/lists"): 20,
    ("POST", "/api/v1/domain_blocks"): 20,
}


def toml_str(s):
    return json.dumps(s)  # a JSON string is a valid TOML basic string


def toml_array(values):
    return "[" + ", ".join(toml_str(str(v)) for v in values) + "]"


def write_config(path, data, operations):
    lines = [
        "# Generated by tests/conformance/seed.py for one run.",
        "[headers]",
        f"Authorization = {toml_str('Bearer ' + data['token'])}",
        "",
        # By default schemathesis also feeds ids it saw in responses to other
        # operations: GET /api/v2/filters hands every filter to
        # DELETE /api/v2/filters/{id}, GET /api/v1/follow_requests every
        # request to authorize, and so on, which destroys the shared data at
        # random. The dictionaries below say which ids each operation gets.
    ]
    for phase in ("examples", "coverage", "fuzzing"):
        lines += [f"[phases.{phase}.extra-data-sources]", "responses = false", ""]
    table = bindings()
    used = set()
    for op in operations:
        for binding in table.get(op, {}).values():
            used.add(binding[0] if isinstance(binding, tuple) else binding)
    for name in sorted(used):
        if not data[name]:
            sys.exit(f"seed: no values for dictionary {name}")
        lines += [f"[dictionaries.{name}]", f"values = {toml_array(data[name])}", ""]
    for op in operations:
        bound = table.get(op)
        more = MORE_EXAMPLES.get(op)
        if not bound and not more:
            continue
        lines += ["[[operations]]", f"include-name = {toml_str(op[0] + ' ' + op[1])}"]
        if bound:
            params = ", ".join(
                f"{toml_str(param)} = {{ dictionary = {toml_str(d)}, probability = {p} }}"
                for param, (d, p) in (
                    (param, b if isinstance(b, tuple) else (b, HIT)) for param, b in bound.items()
                )
            )
            lines += [f"parameters = {{ {params} }}"]
        if more:
            lines += ["[operations.generation]", f"max-examples = {more}"]
        lines += [""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def read_operations(path):
    ops = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        method, op_path, _status = line.split()
        ops.append((method, op_path))
    return ops


def main():
    base, users_json, ops_file, out = sys.argv[1:5]
    users = json.loads(users_json)
    data = seed(base.rstrip("/"), users)
    write_config(out, data, read_operations(ops_file))
    # The ids, for the log of the run.
    print(json.dumps({k: v for k, v in data.items() if k not in ("token", "client_secrets")}))


if __name__ == "__main__":
    main()
