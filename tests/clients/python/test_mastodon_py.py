"""A Mastodon.py session against a running Loggia, as an employee's script
or bot would use it.

Users (created by run.sh): mpy_alice posts, mpy_bob follows her, mpy_carol is
a colleague who does not follow her, mpy_dana has a quiet home timeline for
exact pagination checks, mpy_erin edits her profile and locks her account.
"""

import secrets
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonIllegalArgumentError,
    MastodonNotFoundError,
    MastodonUnauthorizedError,
)

from conftest import (
    BASE_URL,
    OOB,
    TIMEOUT,
    Api,
    Browser,
    code_from,
    jpeg_bytes,
    jpeg_size,
    parse_forms,
    pkce_pair,
    png_bytes,
    register_app,
    user,
)

SCOPES = ["read", "write", "follow"]
# An app that lives on the user's machine: the browser is sent back to a
# loopback address. Nothing listens there; the tests read the code from the
# Location header instead.
CALLBACK = "http://127.0.0.1:9/loggia-client-tests/callback"
RUN = uuid.uuid4().hex[:8]


def ids(items):
    return [str(x["id"]) for x in items]


def all_pages(client, first_page, limit_pages=50):
    """Every item, following the Link rel=next headers with fetch_next."""
    out, page, n = [], first_page, 0
    while page:
        out.extend(page)
        n += 1
        assert n < limit_pages, "pagination does not end"
        page = client.fetch_next(page)
    return out


# --------------------------------------------------------------------------
# Logging in, three ways
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    client_id, client_secret = Mastodon.create_app(
        f"Loggia client tests (Mastodon.py) {RUN}",
        scopes=SCOPES,
        redirect_uris=[OOB, CALLBACK],
        website="https://acme.example/tools",
        api_base_url=BASE_URL,
    )
    return {"client_id": client_id, "client_secret": client_secret}


def new_client(app, token=None):
    return Mastodon(
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        access_token=token,
        api_base_url=BASE_URL,
    )


@pytest.fixture(scope="module")
def alice(app):
    """Password grant, as Mastodon.py's log_in(username, password) does it."""
    m = new_client(app)
    u = user("mpy_alice")
    token = m.log_in(username=u["email"], password=u["password"], scopes=SCOPES, allow_http=True)
    assert token and m.access_token == token
    return m


@pytest.fixture(scope="module")
def bob_login(app):
    """Authorization-code flow through the HTML sign-in and consent pages,
    redirecting to the app's own redirect URI."""
    m = new_client(app)
    state = secrets.token_urlsafe(12)
    url = m.auth_request_url(redirect_uris=CALLBACK, scopes=SCOPES, state=state, allow_http=True)
    browser = Browser()
    final = browser.authorize(url, "mpy_bob")
    code, query = code_from(final)
    token = m.log_in(code=code, redirect_uri=CALLBACK, scopes=SCOPES, allow_http=True)
    return {"client": m, "final": final, "query": query, "state": state, "token": token, "browser": browser}


@pytest.fixture(scope="module")
def bob(bob_login):
    return bob_login["client"]


@pytest.fixture(scope="module")
def carol(app):
    """Authorization-code flow with the out-of-band redirect URI: the code is
    shown on a page for the person to copy into the app."""
    m = new_client(app)
    url = m.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    final = Browser().authorize(url, "mpy_carol")
    assert final.status_code == 200, final.text[:500]
    code, _ = code_from(final)
    assert code, f"no <code id=code> on the out-of-band page: {final.text[:800]}"
    m.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    return m


@pytest.fixture(scope="module")
def dana(app):
    m = new_client(app)
    u = user("mpy_dana")
    m.log_in(username=u["username"], password=u["password"], scopes=SCOPES, allow_http=True)
    return m


@pytest.fixture(scope="module")
def anon():
    return Mastodon(api_base_url=BASE_URL)


@pytest.fixture(scope="module")
def me(alice, bob, carol, dana):
    """Account ids of the four users."""
    return {
        name: str(client.me()["id"])
        for name, client in (("alice", alice), ("bob", bob), ("carol", carol), ("dana", dana))
    }


@pytest.fixture(scope="module")
def bob_follows_alice(bob, me):
    rel = bob.account_follow(me["alice"])
    assert rel["following"] is True
    return rel


def test_instance_and_app(app, alice, anon):
    inst = anon.instance_v1()
    assert inst["uri"] == urlsplit(BASE_URL).netloc
    assert str(inst["version"]).startswith("4.")
    v2 = anon.instance_v2()
    assert v2["domain"] == urlsplit(BASE_URL).netloc
    assert v2["configuration"]["statuses"]["max_characters"] > 0
    # The app as the server knows it.
    me_app = alice.app_verify_credentials()
    assert me_app["name"] == f"Loggia client tests (Mastodon.py) {RUN}"


def test_password_grant_login(alice):
    acct = alice.account_verify_credentials()
    assert acct["username"] == user("mpy_alice")["username"]
    assert acct["acct"] == user("mpy_alice")["username"]  # local accounts: no domain
    assert "source" in acct and acct["source"]["privacy"] in ("public", "unlisted", "private")


def test_login_with_mastodon_py_default_scopes():
    """Mastodon.create_app/log_in without scopes ask for read write follow push."""
    client_id, client_secret = Mastodon.create_app(f"defaults {RUN}", api_base_url=BASE_URL)
    m = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=BASE_URL)
    u = user("mpy_dana")
    m.log_in(username=u["email"], password=u["password"], allow_http=True)
    assert m.me()["username"] == u["username"]


def test_password_grant_rejects_a_wrong_password(app):
    m = new_client(app)
    with pytest.raises(MastodonIllegalArgumentError):
        m.log_in(
            username=user("mpy_alice")["email"],
            password="not the password",
            scopes=SCOPES,
            allow_http=True,
        )
    assert m.access_token is None


def test_authorization_code_flow_with_redirect(bob_login):
    final, query = bob_login["final"], bob_login["query"]
    assert final.status_code in (302, 303), final.status_code
    assert final.headers["Location"].startswith(CALLBACK + "?")
    assert query.get("state") == [bob_login["state"]]
    assert "error" not in query
    acct = bob_login["client"].account_verify_credentials()
    assert acct["username"] == user("mpy_bob")["username"]
    # The browser went through the sign-in page first.
    assert any("/auth/sign_in" in u for u in bob_login["browser"].history)


def test_authorization_code_flow_out_of_band(carol):
    assert carol.account_verify_credentials()["username"] == user("mpy_carol")["username"]


def test_authorization_code_is_single_use_and_bound_to_redirect_uri(app):
    m = new_client(app)
    url = m.auth_request_url(redirect_uris=CALLBACK, scopes=SCOPES, allow_http=True)
    browser = Browser()
    # A code issued for CALLBACK is refused with another redirect_uri.
    code, _ = code_from(browser.authorize(url, "mpy_carol"))
    r = requests.post(
        f"{BASE_URL}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": OOB,
        },
        timeout=TIMEOUT,
    )
    assert r.status_code in (400, 401), r.text
    assert r.json()["error"] in ("invalid_grant", "invalid_request")
    # A fresh code is good once (with Mastodon.py) ...
    code, _ = code_from(browser.authorize(url, "mpy_carol"))
    m.log_in(code=code, redirect_uri=CALLBACK, scopes=SCOPES, allow_http=True)
    assert m.me()["username"] == user("mpy_carol")["username"]
    # ... and not twice.
    with pytest.raises(MastodonIllegalArgumentError):
        new_client(app).log_in(code=code, redirect_uri=CALLBACK, scopes=SCOPES, allow_http=True)


def test_user_can_deny_the_app(app):
    m = new_client(app)
    state = "deny-" + secrets.token_hex(4)
    url = m.auth_request_url(redirect_uris=CALLBACK, scopes=SCOPES, state=state, allow_http=True)
    final = Browser().authorize(url, "mpy_carol", decision="deny")
    assert final.status_code in (302, 303)
    q = parse_qs(urlsplit(final.headers["Location"]).query)
    assert final.headers["Location"].startswith(CALLBACK)
    assert q.get("error") == ["access_denied"]
    assert q.get("state") == [state]
    assert "code" not in q


def test_signed_in_browser_goes_straight_to_consent(bob_login, app):
    """A second app authorization in the same browser does not ask for the
    password again."""
    browser = bob_login["browser"]
    m = new_client(app)
    url = m.auth_request_url(redirect_uris=OOB, scopes=["read"], allow_http=True)
    page = browser.get(url)
    assert page.status_code == 200
    forms = parse_forms(page.text).forms
    assert not any("password" in f["fields"] for f in forms)
    assert any(("decision", "approve") in f["buttons"] for f in forms)


def test_force_login_asks_for_the_password_again(bob_login, app):
    """force_login=True (switching accounts in an app) shows the sign-in page
    even to a signed-in browser; signing in as someone else works."""
    browser = bob_login["browser"]
    m = new_client(app)
    url = m.auth_request_url(redirect_uris=OOB, scopes=SCOPES, force_login=True, allow_http=True)
    page = browser.get(url)
    assert page.status_code == 200
    assert any("password" in f["fields"] for f in parse_forms(page.text).forms), page.text[:500]
    final = browser.authorize(url, "mpy_dana")
    code, _ = code_from(final)
    m.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert m.me()["username"] == user("mpy_dana")["username"]


def test_token_scopes_are_bounded_by_the_app(app):
    narrow = register_app(f"read-only app {RUN}", scopes="read")
    u = user("mpy_dana")
    r = requests.post(
        f"{BASE_URL}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": narrow["client_id"],
            "client_secret": narrow["client_secret"],
            "username": u["email"],
            "password": u["password"],
            "scope": "read write",
        },
        timeout=TIMEOUT,
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope", r.text


def test_pkce_s256_authorization_code_flow(app):
    """Mastodon.py has no PKCE support, so this drives /oauth/token directly,
    as a public client (e.g. a mobile app) does."""
    verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": CALLBACK,
        "scope": "read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "pkce",
    }
    final = Browser().authorize(f"{BASE_URL}/oauth/authorize?{urlencode(query)}", "mpy_dana")
    code, q = code_from(final)
    assert code and q.get("state") == ["pkce"]
    token_req = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": CALLBACK,
    }
    bad = requests.post(f"{BASE_URL}/oauth/token", data={**token_req, "code_verifier": "x" * 50}, timeout=TIMEOUT)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant", bad.text

    # A fresh code (the failed attempt may have burnt the first one).
    final = Browser().authorize(f"{BASE_URL}/oauth/authorize?{urlencode(query)}", "mpy_dana")
    code, _ = code_from(final)
    good = requests.post(
        f"{BASE_URL}/oauth/token", data={**token_req, "code": code, "code_verifier": verifier}, timeout=TIMEOUT
    )
    assert good.status_code == 200, good.text
    tok = good.json()
    assert tok["token_type"].lower() == "bearer" and tok["scope"] == "read"
    m = Mastodon(access_token=tok["access_token"], api_base_url=BASE_URL)
    assert m.account_verify_credentials()["username"] == user("mpy_dana")["username"]
    # Read-only token: cannot post.
    with pytest.raises(MastodonAPIError):
        m.status_post("should not be allowed")


def test_refresh_token_grant(app):
    u = user("mpy_dana")
    r = requests.post(
        f"{BASE_URL}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": u["email"],
            "password": u["password"],
            "scope": "read write follow",
        },
        timeout=TIMEOUT,
    )
    assert r.status_code == 200, r.text
    refresh = r.json().get("refresh_token")
    assert refresh
    m = new_client(app)
    new_token = m.log_in(refresh_token=refresh, scopes=SCOPES, allow_http=True)
    assert new_token and new_token != r.json()["access_token"]
    assert m.account_verify_credentials()["username"] == u["username"]


def test_client_credentials_token(app):
    r = requests.post(
        f"{BASE_URL}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "read",
        },
        timeout=TIMEOUT,
    )
    assert r.status_code == 200, r.text
    m = Mastodon(access_token=r.json()["access_token"], api_base_url=BASE_URL)
    assert m.app_verify_credentials()["name"].startswith("Loggia client tests (Mastodon.py)")
    # An app token is not a user: no account behind it.
    with pytest.raises(MastodonAPIError) as err:
        m.account_verify_credentials()
    assert err.value.args[1] in (401, 403, 422)


# --------------------------------------------------------------------------
# Audiences: who sees what
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def audience_posts(alice, bob_follows_alice, me):
    bob_name = user("mpy_bob")["username"]
    posts = {}
    for vis in ("public", "unlisted", "private"):
        posts[vis] = alice.status_post(f"{vis} post {RUN}", visibility=vis)
    posts["direct"] = alice.status_post(f"@{bob_name} direct post {RUN}", visibility="direct")
    raw = Api(alice.access_token)
    posts["local"] = raw.ok("post", "/api/v1/statuses", data={"status": f"company-only post {RUN}", "visibility": "local"})
    posts["local_only"] = raw.ok(
        "post",
        "/api/v1/statuses",
        data={"status": f"company-only by flag {RUN}", "visibility": "public", "local_only": "true"},
    )
    return posts


def test_mastodon_py_refuses_the_local_visibility(alice):
    """Mastodon.py validates visibility client-side; company-only needs
    `local_only` or `visibility=local` sent directly."""
    with pytest.raises(ValueError):
        alice.status_post("never sent", visibility="local")


def test_posts_carry_their_audience(alice, audience_posts):
    for vis in ("public", "unlisted", "private", "direct"):
        st = alice.status(audience_posts[vis]["id"])
        assert st["visibility"] == vis
        assert st["local_only"] is False
    for key in ("local", "local_only"):
        st = alice.status(audience_posts[key]["id"])
        assert st["visibility"] == "public"
        assert st["local_only"] is True
    assert audience_posts["direct"]["mentions"][0]["username"] == user("mpy_bob")["username"]


def _can_see(client, status_id):
    try:
        client.status(status_id)
        return True
    except MastodonNotFoundError:
        return False


@pytest.mark.parametrize(
    "viewer,expected",
    [
        # follower, mentioned in the direct post
        ("bob", {"public", "unlisted", "private", "direct", "local", "local_only"}),
        # colleague who does not follow alice
        ("carol", {"public", "unlisted", "local", "local_only"}),
        # not signed in: company-only posts are for the company
        ("anon", {"public", "unlisted"}),
    ],
)
def test_who_can_open_each_post(request, audience_posts, viewer, expected):
    client = request.getfixturevalue(viewer)
    seen = {k for k, st in audience_posts.items() if _can_see(client, st["id"])}
    assert seen == expected


def test_private_post_is_visible_to_mentioned_people(alice, bob, carol, bob_follows_alice, me):
    carol_name = user("mpy_carol")["username"]
    st = alice.status_post(f"@{carol_name} followers and you {RUN}", visibility="private")
    assert _can_see(carol, st["id"])  # mentioned, not a follower
    assert _can_see(bob, st["id"])  # follower
    assert any(
        n["type"] == "mention" and str(n["status"]["id"]) == str(st["id"]) for n in carol.notifications(limit=40)
    )


def test_home_timelines_by_audience(bob, carol, audience_posts):
    def found(client):
        home = ids(client.timeline_home(limit=40))
        return {k for k, st in audience_posts.items() if str(st["id"]) in home}

    assert found(bob) == {"public", "unlisted", "private", "direct", "local", "local_only"}
    assert found(carol) == set()


def test_local_timeline_by_audience(carol, anon, audience_posts):
    def found(client):
        tl = ids(client.timeline_local(limit=40))
        return {k for k, st in audience_posts.items() if str(st["id"]) in tl}

    assert found(carol) == {"public", "local", "local_only"}
    assert found(anon) == {"public"}


def test_account_statuses_by_audience(bob, carol, anon, me, audience_posts):
    def found(client):
        sts = ids(client.account_statuses(me["alice"], limit=40))
        return {k for k, st in audience_posts.items() if str(st["id"]) in sts}

    assert {"public", "unlisted", "private", "local", "local_only"} <= found(bob)
    assert found(carol) == {"public", "unlisted", "local", "local_only"}
    assert found(anon) == {"public", "unlisted"}


def test_company_only_posts_do_not_leak_through_boosts_tags_or_threads(alice, bob, carol, anon, me):
    tag = f"internal{RUN}"
    st = Api(alice.access_token).ok(
        "post", "/api/v1/statuses", data={"status": f"roadmap #{tag} {RUN}", "visibility": "local"}
    )
    boost = bob.status_reblog(st["id"])
    assert boost["reblog"]["local_only"] is True
    # Colleagues see the post, its boost and its tag.
    assert str(boost["id"]) in ids(carol.account_statuses(me["bob"], limit=40))
    assert ids(carol.timeline_hashtag(tag)) == [str(st["id"])]
    # Outsiders see none of it.
    assert str(boost["id"]) not in ids(anon.account_statuses(me["bob"], limit=40))
    assert not _can_see(anon, boost["id"])
    assert ids(anon.timeline_hashtag(tag)) == []
    with pytest.raises(MastodonNotFoundError):
        anon.status_context(st["id"])
    with pytest.raises(MastodonNotFoundError):
        anon.status_reblogged_by(st["id"])
    bob.status_unreblog(st["id"])


# --------------------------------------------------------------------------
# Conversations and interactions
# --------------------------------------------------------------------------


def test_reply_and_context(alice, bob, me):
    root = alice.status_post(f"What do we ship on Friday? {RUN}")
    reply = bob.status_reply(root, f"the new badge reader {RUN}")
    assert str(reply["in_reply_to_id"]) == str(root["id"])
    assert str(reply["in_reply_to_account_id"]) == me["alice"]
    # status_reply mentions the author
    assert user("mpy_alice")["username"] in reply["content"]
    second = alice.status_reply(reply, f"thanks {RUN}")

    ctx = bob.status_context(reply["id"])
    assert ids(ctx["ancestors"]) == [str(root["id"])]
    assert ids(ctx["descendants"]) == [str(second["id"])]
    ctx = alice.status_context(root["id"])
    assert ids(ctx["descendants"]) == [str(reply["id"]), str(second["id"])]
    assert alice.status(root["id"])["replies_count"] == 1

    # Replies are left out of exclude_replies listings.
    sts = ids(alice.account_statuses(me["bob"], exclude_replies=True, limit=40))
    assert str(reply["id"]) not in sts
    sts = ids(alice.account_statuses(me["bob"], limit=40))
    assert str(reply["id"]) in sts


def test_favourite(alice, bob, me):
    st = alice.status_post(f"favourite me {RUN}")
    fav = bob.status_favourite(st["id"])
    assert fav["favourited"] is True and fav["favourites_count"] == 1
    assert ids(bob.favourites(limit=40))[0] == str(st["id"])
    assert ids(alice.status_favourited_by(st["id"])) == [me["bob"]]
    # Idempotent.
    assert bob.status_favourite(st["id"])["favourites_count"] == 1
    unfav = bob.status_unfavourite(st["id"])
    assert unfav["favourited"] is False and unfav["favourites_count"] == 0
    assert str(st["id"]) not in ids(bob.favourites(limit=40))
    assert alice.status_favourited_by(st["id"]) == []


def test_boost(alice, bob, carol, me):
    st = alice.status_post(f"boost me {RUN}")
    boost = bob.status_reblog(st["id"])
    assert boost["reblog"] is not None
    assert str(boost["reblog"]["id"]) == str(st["id"])
    assert boost["reblog"]["reblogged"] is True
    assert boost["reblog"]["reblogs_count"] == 1
    assert str(boost["account"]["id"]) == me["bob"]
    assert alice.status(st["id"])["reblogs_count"] == 1
    assert ids(alice.status_reblogged_by(st["id"])) == [me["bob"]]
    # The boost shows on bob's profile, not with exclude_reblogs.
    assert str(boost["id"]) in ids(carol.account_statuses(me["bob"], limit=40))
    assert str(boost["id"]) not in ids(carol.account_statuses(me["bob"], exclude_reblogs=True, limit=40))
    # Private posts cannot be boosted.
    private = alice.status_post(f"private, no boosts {RUN}", visibility="private")
    with pytest.raises(MastodonAPIError):
        bob.status_reblog(private["id"])

    un = bob.status_unreblog(st["id"])
    assert str(un["id"]) == str(st["id"]) and un["reblogged"] is False
    assert alice.status(st["id"])["reblogs_count"] == 0
    assert str(boost["id"]) not in ids(carol.account_statuses(me["bob"], limit=40))


def test_bookmark(alice, bob):
    st = alice.status_post(f"bookmark me {RUN}")
    bm = bob.status_bookmark(st["id"])
    assert bm["bookmarked"] is True
    assert ids(bob.bookmarks(limit=40))[0] == str(st["id"])
    # Bookmarks are private: alice sees no change.
    assert alice.status(st["id"])["bookmarked"] is False
    bob.status_unbookmark(st["id"])
    assert str(st["id"]) not in ids(bob.bookmarks(limit=40))


def test_pin(alice, bob, me):
    st = alice.status_post(f"pin me {RUN}")
    pinned = alice.status_pin(st["id"])
    assert pinned["pinned"] is True
    assert str(st["id"]) in ids(bob.account_statuses(me["alice"], pinned=True))
    # Someone else's post cannot be pinned.
    with pytest.raises(MastodonAPIError):
        bob.status_pin(st["id"])
    # Nor can a direct message.
    dm = alice.status_post(f"@{user('mpy_bob')['username']} psst {RUN}", visibility="direct")
    with pytest.raises(MastodonAPIError):
        alice.status_pin(dm["id"])
    unpinned = alice.status_unpin(st["id"])
    assert unpinned["pinned"] is False
    assert str(st["id"]) not in ids(bob.account_statuses(me["alice"], pinned=True))


def test_idempotency_key(alice):
    key = f"idem-{RUN}"
    first = alice.status_post(f"only once {RUN}", idempotency_key=key)
    again = alice.status_post(f"only once {RUN}", idempotency_key=key)
    assert str(first["id"]) == str(again["id"])


def test_spoiler_sensitive_language(alice):
    st = alice.status_post(f"about the outage {RUN}", spoiler_text="incident", sensitive=True, language="en")
    assert st["spoiler_text"] == "incident"
    assert st["sensitive"] is True
    assert st["language"] == "en"


def test_hashtag_timeline(alice, carol):
    tag = f"loggiatest{RUN}"
    st = alice.status_post(f"release notes #{tag}")
    assert [t["name"].lower() for t in st["tags"]] == [tag]
    assert ids(carol.timeline_hashtag(tag)) == [str(st["id"])]


# --------------------------------------------------------------------------
# Follows
# --------------------------------------------------------------------------


def test_follow_and_unfollow(alice, bob, carol, me):
    before = alice.account(me["alice"])["followers_count"]
    rel = carol.account_follow(me["alice"], reblogs=False, notify=True)
    assert rel["following"] is True
    assert rel["showing_reblogs"] is False
    assert rel["notifying"] is True

    [rel] = carol.account_relationships(me["alice"])
    assert rel["following"] is True and rel["followed_by"] is False
    [back] = alice.account_relationships(me["carol"])
    assert back["followed_by"] is True
    assert me["carol"] in ids(all_pages(alice, alice.account_followers(me["alice"], limit=2)))
    assert me["alice"] in ids(carol.account_following(me["carol"]))
    assert alice.account(me["alice"])["followers_count"] == before + 1

    # New posts reach the follower's home timeline.
    st = alice.status_post(f"for my followers {RUN}", visibility="private")
    assert str(st["id"]) in ids(carol.timeline_home(limit=40))
    # reblogs=False: alice's boosts stay out of carol's home.
    other = bob.status_post(f"bob says {RUN}")
    boost = alice.status_reblog(other["id"])
    assert str(boost["id"]) not in ids(carol.timeline_home(limit=40))
    alice.status_unreblog(other["id"])

    rel = carol.account_unfollow(me["alice"])
    assert rel["following"] is False
    assert me["carol"] not in ids(all_pages(alice, alice.account_followers(me["alice"], limit=40)))
    assert alice.account(me["alice"])["followers_count"] == before
    later = alice.status_post(f"after the unfollow {RUN}")
    assert str(later["id"]) not in ids(carol.timeline_home(limit=40))
    # Like Mastodon, unfollowing takes the account's posts out of the home feed,
    # and a private post is no longer visible at all.
    assert str(st["id"]) not in ids(carol.timeline_home(limit=40))
    assert not _can_see(carol, st["id"])


def test_follow_with_notify_sends_status_notifications(alice, carol, me):
    """follow(notify=True) is the bell in Mastodon's UI: each new post of the
    followed account becomes a `status` notification."""
    carol.notifications_clear()
    carol.account_follow(me["alice"], notify=True)
    try:
        st = alice.status_post(f"ring the bell {RUN}")
        notes = carol.notifications(types=["status"])
        assert [(n["type"], str(n["status"]["id"])) for n in notes] == [("status", str(st["id"]))]
    finally:
        carol.account_unfollow(me["alice"])


def test_following_brings_recent_posts_into_home(dana, me, alice):
    """Mastodon merges the followed account's recent posts into the home feed
    on follow (FeedManager#merge_into_home)."""
    st = alice.status_post(f"posted before dana followed {RUN}")
    dana.account_follow(me["alice"])
    try:
        # Mastodon does this in a background job: allow it a moment.
        deadline = time.monotonic() + 3
        while str(st["id"]) not in ids(dana.timeline_home(limit=40)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert str(st["id"]) in ids(dana.timeline_home(limit=40))
    finally:
        dana.account_unfollow(me["alice"])


def test_lookup_and_account(carol, me):
    acct = carol.account_lookup(user("mpy_alice")["username"])
    assert str(acct["id"]) == me["alice"]
    assert carol.account(me["alice"])["username"] == user("mpy_alice")["username"]
    with pytest.raises(MastodonNotFoundError):
        carol.account_lookup(f"nobody_{RUN}")


# --------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dana_posts(dana):
    # Dana follows nobody and nobody mentions her, so her home timeline is
    # exactly her own posts, newest first.
    return [str(dana.status_post(f"dana #{i} {RUN}")["id"]) for i in range(7)][::-1]


def test_home_timeline_pagination(dana, dana_posts):
    full = ids(dana.timeline_home(limit=40))
    assert full[: len(dana_posts)] == dana_posts

    first = dana.timeline_home(limit=3)
    assert ids(first) == full[:3]
    walked = ids(all_pages(dana, first))
    assert walked == full, "fetch_next (Link rel=next) must walk the whole timeline in order"

    second = dana.fetch_next(first)
    assert ids(second) == full[3:6]
    back = dana.fetch_previous(second)
    assert ids(back) == full[:3]

    # max_id: strictly older; since_id: newer, newest first; min_id: the
    # ones right after, newest first.
    assert ids(dana.timeline_home(max_id=full[2], limit=40)) == full[3:]
    assert ids(dana.timeline_home(since_id=full[3], limit=40)) == full[:3]
    assert ids(dana.timeline_home(min_id=full[5], limit=2)) == full[3:5]
    # With more newer statuses than the limit, since_id gives the newest and
    # min_id the ones adjacent to the cursor.
    assert ids(dana.timeline_home(since_id=full[6], limit=2)) == full[:2]
    assert ids(dana.timeline_home(min_id=full[6], limit=2)) == full[4:6]

    # fetch_previous from the top: nothing newer ... until dana posts again.
    newer = dana.status_post(f"dana newest {RUN}")
    top = dana.fetch_previous(first)
    assert ids(top) == [str(newer["id"])]


def test_local_timeline_pagination(carol, anon, dana_posts):
    first = carol.timeline_local(limit=2)
    seen = []
    page = first
    while page and len(seen) < 40:
        seen.extend(ids(page))
        page = carol.fetch_next(page)
    assert seen == sorted(set(seen), key=int, reverse=True), "pages overlap or are out of order"
    assert [i for i in seen if i in dana_posts] == dana_posts
    # max_id on the anonymous local timeline.
    older = ids(anon.timeline_local(max_id=dana_posts[3], limit=3))
    assert older == dana_posts[4:7]


def test_local_timeline_leaves_out_replies_to_others_and_boosts(alice, bob, carol):
    """Mastodon's public timelines show neither replies to other people nor
    boosts (Setting.show_replies_in_public_timelines and
    show_reblogs_in_public_timelines are false by default; Mastodon.py
    documents timeline_local as "not including replies"). A self-reply,
    continuing one's own thread, is shown."""
    root = alice.status_post(f"thread 1/2 {RUN}")
    own = alice.status_reply(root, f"thread 2/2 {RUN}")
    other = bob.status_reply(root, f"a reply from bob {RUN}")
    boost = bob.status_reblog(root["id"])
    try:
        tl = ids(carol.timeline_local(limit=40))
        assert str(root["id"]) in tl and str(own["id"]) in tl
        assert str(boost["id"]) not in tl
        assert str(other["id"]) not in tl, "a reply to someone else is in the local timeline"
    finally:
        bob.status_unreblog(root["id"])


def test_favourites_and_bookmarks_pagination(bob, alice):
    posts = [alice.status_post(f"fav page {i} {RUN}") for i in range(4)]
    for st in posts:
        bob.status_favourite(st["id"])
        bob.status_bookmark(st["id"])
    want = [str(st["id"]) for st in reversed(posts)]
    for listing in (bob.favourites, bob.bookmarks):
        first = listing(limit=2)
        got = ids(first) + ids(bob.fetch_next(first))
        assert got == want, listing.__name__


# --------------------------------------------------------------------------
# Notifications
# --------------------------------------------------------------------------


def test_notifications(alice, carol, me):
    alice.notifications_clear()
    assert alice.notifications() == []

    st = alice.status_post(f"notify me {RUN}")
    carol.account_follow(me["alice"])
    carol.status_favourite(st["id"])
    carol.status_reblog(st["id"])
    mention = carol.status_reply(st, f"replying {RUN}")

    notes = alice.notifications(limit=40)
    by_type = {n["type"]: n for n in notes}
    assert set(by_type) == {"follow", "favourite", "reblog", "mention"}
    for n in notes:
        assert str(n["account"]["id"]) == me["carol"]
    assert str(by_type["favourite"]["status"]["id"]) == str(st["id"])
    assert str(by_type["reblog"]["status"]["id"]) == str(st["id"])
    assert str(by_type["mention"]["status"]["id"]) == str(mention["id"])
    assert by_type["follow"].get("status") is None
    # Newest first.
    assert [n["type"] for n in notes] == ["mention", "reblog", "favourite", "follow"]

    assert [n["type"] for n in alice.notifications(types=["mention"])] == ["mention"]
    assert {n["type"] for n in alice.notifications(exclude_types=["mention", "follow"])} == {"reblog", "favourite"}
    one = alice.notifications(id=by_type["favourite"]["id"])
    assert one["type"] == "favourite"

    # Pagination through Link headers.
    first = alice.notifications(limit=3)
    assert len(first) == 3
    assert ids(first) + ids(alice.fetch_next(first)) == ids(notes)

    assert alice.notifications_unread_count()["count"] == 4

    alice.notifications_dismiss(by_type["follow"]["id"])
    assert {n["type"] for n in alice.notifications()} == {"favourite", "reblog", "mention"}
    with pytest.raises(MastodonNotFoundError):
        alice.notifications(id=by_type["follow"]["id"])

    alice.notifications_clear()
    assert alice.notifications() == []
    assert alice.notifications_unread_count()["count"] == 0
    carol.account_unfollow(me["alice"])


# --------------------------------------------------------------------------
# Blocks and mutes
# --------------------------------------------------------------------------


def test_block_and_mute(alice, carol, me):
    st = alice.status_post(f"before the block {RUN}")
    alice.account_follow(me["carol"])
    carol.account_follow(me["alice"])
    rel = carol.account_block(me["alice"])
    assert rel["blocking"] is True
    # Blocking breaks follows both ways.
    assert rel["following"] is False and rel["followed_by"] is False
    assert me["alice"] in ids(carol.blocks())
    [back] = alice.account_relationships(me["carol"])
    assert back["blocked_by"] is True
    # A blocked account cannot interact.
    with pytest.raises((MastodonNotFoundError, MastodonAPIError)):
        alice.status_favourite(carol.status_post(f"carol post {RUN}")["id"])
    assert str(st["id"]) not in ids(carol.timeline_local(limit=40))
    rel = carol.account_unblock(me["alice"])
    assert rel["blocking"] is False
    assert me["alice"] not in ids(carol.blocks())

    rel = carol.account_mute(me["alice"])
    assert rel["muting"] is True
    assert me["alice"] in ids(carol.mutes())
    later = alice.status_post(f"while muted {RUN}")
    assert str(later["id"]) not in ids(carol.timeline_local(limit=40))
    rel = carol.account_unmute(me["alice"])
    assert rel["muting"] is False
    assert me["alice"] not in ids(carol.mutes())


# --------------------------------------------------------------------------
# Media
# --------------------------------------------------------------------------


def _fetch_file(url):
    """A media file as a browser fetches it: no token."""
    r = requests.get(url, timeout=TIMEOUT)
    assert r.status_code == 200, f"GET {url}: {r.status_code}"
    assert r.headers["Content-Type"].startswith("image/"), r.headers["Content-Type"]
    return r


def test_media_with_alt_text_and_focus(alice, bob, bob_follows_alice, me):
    media = alice.media_post(
        png_bytes(64, 48), mime_type="image/png", description=f"Q3 sales chart {RUN}", focus=(0.5, -0.25)
    )
    assert media["type"] == "image"
    assert media["description"] == f"Q3 sales chart {RUN}"
    assert media["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert (media["meta"]["original"]["width"], media["meta"]["original"]["height"]) == (64, 48)
    assert media["url"] and media["preview_url"] and media["blurhash"]
    _fetch_file(media["url"])
    _fetch_file(media["preview_url"])

    # Until it is posted, the alt text can still change.
    fixed = alice.media_update(media, description=f"Q3 sales by region {RUN}", focus=(0.0, 0.0))
    assert fixed["description"] == f"Q3 sales by region {RUN}"
    assert fixed["meta"]["focus"] == {"x": 0.0, "y": 0.0}
    assert alice.media(media)["description"] == f"Q3 sales by region {RUN}"
    # Uploads are private to their owner until posted.
    with pytest.raises(MastodonNotFoundError):
        bob.media(media)

    st = alice.status_post(f"the numbers are in {RUN}", media_ids=[media], visibility="private")
    [att] = st["media_attachments"]
    assert str(att["id"]) == str(media["id"])
    assert att["description"] == f"Q3 sales by region {RUN}"
    assert att["url"] == media["url"]
    # The follower sees the picture, with its alt text, at home.
    [seen] = [s for s in bob.timeline_home(limit=40) if str(s["id"]) == str(st["id"])]
    assert [a["description"] for a in seen["media_attachments"]] == [f"Q3 sales by region {RUN}"]
    # only_media keeps the posts with pictures on a profile.
    text_only = alice.status_post(f"no picture here {RUN}", visibility="private")
    with_media = ids(bob.account_statuses(me["alice"], only_media=True, limit=40))
    assert str(st["id"]) in with_media
    assert str(text_only["id"]) not in with_media


def test_several_pictures_in_one_post(alice):
    pics = [
        alice.media_post(png_bytes(16, 16 + 8 * i), mime_type="image/png", description=f"step {i} {RUN}")
        for i in range(3)
    ]
    # A transparent PNG stays a PNG.
    pics.append(alice.media_post(png_bytes(20, 10, alpha=True), mime_type="image/png", description="logo"))
    st = alice.status_post(f"how to badge in, in four steps {RUN}", media_ids=pics)
    assert ids(st["media_attachments"]) == ids(pics), "attachments keep the order of media_ids"
    assert [a["description"] for a in st["media_attachments"]] == [f"step {i} {RUN}" for i in range(3)] + ["logo"]
    assert _fetch_file(st["media_attachments"][3]["url"]).headers["Content-Type"] == "image/png"
    # A fifth picture is one too many (Mastodon: at most four).
    five = pics + [alice.media_post(png_bytes(8, 8), mime_type="image/png")]
    with pytest.raises(MastodonAPIError) as err:
        alice.status_post(f"too many pictures {RUN}", media_ids=five)
    assert err.value.args[1] == 422


def test_photo_is_turned_upright_and_loses_its_exif(alice):
    """A phone photo: a JPEG taken sideways (EXIF orientation 6, "rotate 90°
    clockwise") carrying camera details. Loggia serves it upright and without
    the EXIF segment."""
    make = f"LoggiaCam {RUN}"
    media = alice.media_post(
        jpeg_bytes(32, 16, orientation=6, make=make), mime_type="image/jpeg", description="whiteboard after the retro"
    )
    assert (media["meta"]["original"]["width"], media["meta"]["original"]["height"]) == (16, 32)
    served = _fetch_file(media["url"])
    assert served.headers["Content-Type"] == "image/jpeg"
    assert jpeg_size(served.content) == (16, 32)
    assert make.encode() not in served.content
    assert b"Exif\x00\x00" not in served.content


def test_media_upload_refuses_what_is_not_an_image(alice):
    with pytest.raises(MastodonAPIError) as err:
        alice.media_post(b"region,sales\nnorth,12\n", mime_type="text/csv", file_name="sales.csv")
    assert err.value.args[1] == 422
    # The content decides, not the type the client claims.
    with pytest.raises(MastodonAPIError) as err:
        alice.media_post(b"<html>not a picture</html>", mime_type="image/png", file_name="chart.png")
    assert err.value.args[1] == 422


def test_media_v1_and_v2_endpoints(alice, bob):
    """Older clients upload to /api/v1/media, newer ones to /api/v2/media
    (which may answer 202 and finish later; then GET /api/v1/media/:id
    answers 206 until the file is ready)."""
    raw = Api(alice.access_token)
    for path in ("/api/v1/media", "/api/v2/media"):
        r = raw.post(path, files={"file": ("pixel.png", png_bytes(8, 8), "image/png")}, data={"description": path})
        assert r.status_code in (200, 202), f"{path}: {r.status_code} {r.text}"
        media = r.json()
        assert media["type"] == "image" and media["description"] == path
        if r.status_code == 200:
            assert media["url"]
        again = raw.get(f"/api/v1/media/{media['id']}")
        assert again.status_code == 200 and again.json()["url"], again.text
    # Someone else's upload: not found for them, and it cannot be attached to
    # their post (Mastodon ignores such ids; refusing the post is fine too).
    assert Api(bob.access_token).get(f"/api/v1/media/{media['id']}").status_code == 404
    try:
        st = bob.status_post(f"with alice's picture {RUN}", media_ids=[media["id"]])
    except MastodonAPIError:
        pass
    else:
        assert st["media_attachments"] == []


# --------------------------------------------------------------------------
# Editing
# --------------------------------------------------------------------------


def test_edit_with_source_and_history(alice, bob, carol, bob_follows_alice, me):
    tag = f"standup{RUN}"
    st = alice.status_post(f"Standup moved to 3pm #{tag}", spoiler_text="schedule")
    assert st["edited_at"] is None
    bob.status_reblog(st["id"])
    try:
        src = alice.status_source(st)
        assert str(src["id"]) == str(st["id"])
        assert (src["text"], src["spoiler_text"]) == (f"Standup moved to 3pm #{tag}", "schedule")

        edited = alice.status_update(st, f"Standup moved to 4pm #{tag}", spoiler_text="schedule change")
        assert str(edited["id"]) == str(st["id"])
        assert edited["edited_at"] is not None
        assert "4pm" in edited["content"] and "3pm" not in edited["content"]
        assert edited["spoiler_text"] == "schedule change"
        assert alice.status_source(st)["text"] == f"Standup moved to 4pm #{tag}"
        # Readers see the new text, and where it was edited.
        seen = carol.status(st["id"])
        assert "4pm" in seen["content"] and seen["edited_at"] is not None
        assert ids(carol.timeline_hashtag(tag)) == [str(st["id"])]

        # The history starts with the original; every edit adds a version.
        history = carol.status_history(st)
        assert [("3pm" in h["content"], "4pm" in h["content"]) for h in history] == [(True, False), (False, True)]
        assert [h["spoiler_text"] for h in history] == ["schedule", "schedule change"]
        assert all(str(h["account"]["id"]) == me["alice"] for h in history)
        assert history[0]["created_at"] <= history[1]["created_at"]
        alice.status_update(st, f"Standup moved to 4:30pm #{tag}", spoiler_text="schedule change")
        assert len(alice.status_history(st)) == 3

        # Who boosted it is told (an `update` notification, as in Mastodon).
        updates = bob.notifications(types=["update"], limit=40)
        assert str(st["id"]) in [str(n["status"]["id"]) for n in updates]
    finally:
        bob.status_unreblog(st["id"])


def test_edit_swaps_pictures_and_the_history_keeps_them(alice, bob, bob_follows_alice):
    """Editing replaces the pictures (media_ids). As in Mastodon
    (StatusEdit#ordered_media_attachments), each version in the history
    lists the pictures it had, so apps can show what changed."""
    first = alice.media_post(png_bytes(24, 24), mime_type="image/png", description=f"draft diagram {RUN}")
    st = alice.status_post(f"architecture, v1 {RUN}", media_ids=[first])
    second = alice.media_post(png_bytes(32, 24), mime_type="image/png", description=f"final diagram {RUN}")
    edited = alice.status_update(st, f"architecture, v2 {RUN}", media_ids=[second])
    assert ids(edited["media_attachments"]) == [str(second["id"])]
    assert ids(bob.status(st["id"])["media_attachments"]) == [str(second["id"])]
    # Keeping the same picture across an edit.
    edited = alice.status_update(st, f"architecture, v2.1 {RUN}", media_ids=[second])
    assert ids(edited["media_attachments"]) == [str(second["id"])]

    history = alice.status_history(st)
    assert [ids(h["media_attachments"]) for h in history] == [
        [str(first["id"])],
        [str(second["id"])],
        [str(second["id"])],
    ], "each version in the history lists its own pictures"


def test_edit_fixes_alt_text_after_posting(alice, bob, bob_follows_alice):
    """Alt text forgotten or wrong when posting is fixed by editing the post
    with media_attributes (Mastodon 4.1+; Mastodon.py sends them as JSON,
    made by generate_media_edit_attributes)."""
    pic = alice.media_post(png_bytes(32, 24), mime_type="image/png", description=f"diagram {RUN}")
    st = alice.status_post(f"the new queue {RUN}", media_ids=[pic])
    fix = alice.generate_media_edit_attributes(pic, description=f"diagram: web -> queue -> workers {RUN}")
    # Mastodon.py fills media_ids from media_attributes (passing both fails in
    # Mastodon.py 2.3.3: it adds two sets).
    edited = alice.status_update(st, f"the new queue {RUN}", media_attributes=[fix])
    assert ids(edited["media_attachments"]) == [str(pic["id"])]
    assert [a["description"] for a in edited["media_attachments"]] == [f"diagram: web -> queue -> workers {RUN}"]
    seen = bob.status(st["id"])
    assert [a["description"] for a in seen["media_attachments"]] == [f"diagram: web -> queue -> workers {RUN}"]


def test_only_the_author_may_edit(alice, bob):
    """As in Mastodon (Status.where(account: current_account).find in
    StatusesController#update), someone else's post is "not found" for
    editing and for its source: 404."""
    st = alice.status_post(f"mine to edit {RUN}")
    with pytest.raises(MastodonNotFoundError):
        bob.status_source(st)
    try:
        with pytest.raises(MastodonNotFoundError):
            bob.status_update(st, f"hijacked {RUN}")
    finally:
        assert "hijacked" not in alice.status(st["id"])["content"]
        assert alice.status(st["id"])["edited_at"] is None


# --------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------


def test_search_accounts(alice, bob, carol, anon, me, bob_follows_alice):
    name = user("mpy_alice")["username"]
    domain = urlsplit(BASE_URL).netloc
    for q in (name, f"@{name}", f"{name}@{domain}", f"@{name}@{domain}", name[:-2].upper()):
        found = carol.search_v2(q, result_type="accounts")
        assert me["alice"] in ids(found["accounts"]), q
        assert found["statuses"] == [] and found["hashtags"] == []
    assert ids(anon.search_v2(name, resolve=False, result_type="accounts")["accounts"]) == [me["alice"]]
    assert carol.search_v2(f"nobody{RUN}", result_type="accounts")["accounts"] == []
    # following=true (Mastodon.py has no parameter for it): only people one follows.
    for who, expected in ((bob, [me["alice"]]), (carol, [])):
        res = Api(who.access_token).ok(
            "get", "/api/v2/search", params={"q": name, "type": "accounts", "following": "true"}
        )
        assert ids(res["accounts"]) == expected


def test_search_hashtags_and_statuses(alice, bob, carol, anon, me, bob_follows_alice):
    word = f"quokka{RUN}"
    tag = f"OfficePets{RUN}"
    public = alice.status_post(f"A {word} visited the office café #{tag}")
    private = alice.status_post(f"Feeding the {word}: followers only", visibility="private")
    own = bob.status_post(f"Did anyone see the {word}?")

    tags = carol.search_v2(f"#{tag}", result_type="hashtags")["hashtags"]
    assert [t["name"].lower() for t in tags] == [tag.lower()]
    assert tags[0]["url"].endswith(f"/tags/{tag.lower()}")
    assert [t["name"].lower() for t in carol.search_v2(tag[:-3], result_type="hashtags")["hashtags"]] == [
        tag.lower()
    ]

    # Full text, newest first, only what the searcher may see.
    assert ids(bob.search_v2(word, result_type="statuses")["statuses"]) == ids([own, private, public])
    assert ids(carol.search_v2(word, result_type="statuses")["statuses"]) == ids([own, public])
    # Accents and case do not matter; every word must match.
    assert ids(carol.search_v2(f"CAFE {word}", result_type="statuses")["statuses"]) == ids([public])
    assert carol.search_v2(f"{word} giraffe", result_type="statuses")["statuses"] == []
    # account_id: only that author's posts.
    assert ids(bob.search_v2(word, result_type="statuses", account_id=me["alice"])["statuses"]) == ids(
        [private, public]
    )
    # Without type, all three kinds at once.
    everything = bob.search_v2(word)
    assert ids(everything["statuses"]) == ids([own, private, public])
    assert everything["accounts"] == [] and everything["hashtags"] == []
    # Not signed in: no posts (searching posts needs an account, as in Mastodon).
    assert anon.search_v2(word, resolve=False)["statuses"] == []
    # Deleted posts are not found.
    bob.status_delete(own["id"])
    assert ids(bob.search_v2(word, result_type="statuses")["statuses"]) == ids([private, public])


def test_search_statuses_pagination(alice, carol):
    word = f"pelican{RUN}"
    posts = [alice.status_post(f"{word} sighting {i}") for i in range(4)]
    newest_first = ids(reversed(posts))
    first = carol.search_v2(word, result_type="statuses", limit=2)
    assert ids(first["statuses"]) == newest_first[:2]
    # With a result_type, Mastodon.py pages by offset.
    assert ids(carol.fetch_next(first)["statuses"]) == newest_first[2:]
    assert ids(carol.search_v2(word, result_type="statuses", offset=1, limit=2)["statuses"]) == newest_first[1:3]
    # max_id: older than; min_id: newer than (Mastodon's StatusesSearchService
    # takes both).
    assert ids(carol.search_v2(word, result_type="statuses", max_id=posts[2])["statuses"]) == newest_first[2:]
    newer = ids(carol.search_v2(word, result_type="statuses", min_id=posts[1])["statuses"])
    assert sorted(newer) == sorted(newest_first[:2]), "min_id is ignored"


def test_search_resolves_links_to_posts_and_profiles(alice, bob, carol, me, bob_follows_alice):
    """Pasting a link into an app's search opens it: with resolve=true
    (Mastodon.py's default), Mastodon answers the URL of a local post or
    profile with that post or account (ResolveURLService#process_local_url),
    if the searcher may see it."""
    st = alice.status_post(f"link me {RUN}")
    for link in (st["url"], st["uri"]):
        assert ids(carol.search_v2(link)["statuses"]) == [str(st["id"])], link
    profile = alice.account(me["alice"])
    for link in (profile["url"], profile["uri"]):
        assert me["alice"] in ids(carol.search_v2(link)["accounts"]), link
    secret = alice.status_post(f"followers only link {RUN}", visibility="private")
    assert ids(bob.search_v2(secret["url"])["statuses"]) == [str(secret["id"])]
    assert carol.search_v2(secret["url"])["statuses"] == []


# --------------------------------------------------------------------------
# Profile: update_credentials, locked accounts and follow requests
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def erin(app):
    """mpy_erin edits her profile and locks her account."""
    m = new_client(app)
    u = user("mpy_erin")
    m.log_in(username=u["email"], password=u["password"], scopes=SCOPES, allow_http=True)
    return m


@pytest.fixture(scope="module")
def erin_id(erin):
    return str(erin.me()["id"])


def test_update_credentials(erin, carol, erin_id):
    before = erin.account_verify_credentials()
    note = f"Builds badge readers.\nAsk me about NFC {RUN}."
    acct = erin.account_update_credentials(
        display_name=f"Erin from Hardware {RUN}",
        note=note,
        locked=True,
        fields=[("Team", "Hardware"), ("Desk", "B-214")],
        avatar=png_bytes(96, 96),
        avatar_mime_type="image/png",
        header=jpeg_bytes(48, 16),
        header_mime_type="image/jpeg",
        default_privacy="private",
    )
    assert acct["display_name"] == f"Erin from Hardware {RUN}"
    assert acct["locked"] is True
    assert "<p>" in acct["note"] and "Ask me about NFC" in acct["note"]
    assert acct["source"]["note"] == note
    assert [(f["name"], f["value"]) for f in acct["source"]["fields"]] == [("Team", "Hardware"), ("Desk", "B-214")]
    assert [f["name"] for f in acct["fields"]] == ["Team", "Desk"]
    assert "B-214" in acct["fields"][1]["value"]
    assert acct["source"]["privacy"] == "private"
    for key in ("avatar", "avatar_static", "header", "header_static"):
        assert acct[key] != before[key], key
        _fetch_file(acct[key])

    # Colleagues see the new profile.
    seen = carol.account(erin_id)
    assert (seen["display_name"], seen["locked"]) == (f"Erin from Hardware {RUN}", True)
    assert seen["avatar"] == acct["avatar"]
    # ... and find her by her new display name.
    assert erin_id in ids(carol.search_v2(f"Erin from Hardware {RUN}", result_type="accounts")["accounts"])
    # The posting default applies to posts made without a visibility.
    assert erin.preferences()["posting:default:visibility"] == "private"
    assert erin.status_post(f"default audience {RUN}")["visibility"] == "private"
    # Fields are emptied by sending them blank (Mastodon.py sends nothing for
    # fields=[]); what was not sent stays.
    acct = Api(erin.access_token).ok(
        "patch",
        "/api/v1/accounts/update_credentials",
        data={"fields_attributes[0][name]": "", "fields_attributes[0][value]": ""},
    )
    assert acct["fields"] == [] and acct["locked"] is True and acct["display_name"] == f"Erin from Hardware {RUN}"


def test_locked_account_approves_follow_requests(erin, bob, carol, me, erin_id):
    if not erin.me()["locked"]:
        erin.account_update_credentials(locked=True)
    secret = erin.status_post(f"for approved followers {RUN}", visibility="private")
    erin.notifications_clear()

    for who in (bob, carol):
        rel = who.account_follow(erin_id)
        assert rel["requested"] is True and rel["following"] is False
    assert erin.account_verify_credentials()["source"]["follow_requests_count"] == 2
    assert set(ids(erin.follow_requests())) == {me["bob"], me["carol"]}
    requests_seen = erin.notifications(types=["follow_request"])
    assert {str(n["account"]["id"]) for n in requests_seen} == {me["bob"], me["carol"]}
    [rel] = erin.account_relationships(me["bob"])
    assert rel["requested_by"] is True and rel["followed_by"] is False
    # A request is not a follow.
    assert not _can_see(bob, secret["id"])
    assert erin.account(erin_id)["followers_count"] == 0

    rel = erin.follow_request_authorize(me["bob"])
    assert rel["followed_by"] is True and rel["requested_by"] is False
    [rel] = bob.account_relationships(erin_id)
    assert rel["following"] is True and rel["requested"] is False
    assert _can_see(bob, secret["id"])
    later = erin.status_post(f"welcome aboard {RUN}", visibility="private")
    assert str(later["id"]) in ids(bob.timeline_home(limit=40))

    rel = erin.follow_request_reject(me["carol"])
    assert rel["followed_by"] is False and rel["requested_by"] is False
    [rel] = carol.account_relationships(erin_id)
    assert rel["following"] is False and rel["requested"] is False
    assert not _can_see(carol, secret["id"])
    assert erin.follow_requests() == []
    assert ids(erin.account_followers(erin_id)) == [me["bob"]]
    assert erin.account(erin_id)["followers_count"] == 1
    bob.account_unfollow(erin_id)


def test_withdrawing_and_unlocking(erin, carol, erin_id):
    """Unfollowing withdraws a pending request. Unlocking the account accepts
    every pending request, as Mastodon does
    (UpdateAccountService#authorize_all_follow_requests): otherwise they stay
    pending with nobody asked to approve them."""
    if not erin.me()["locked"]:
        erin.account_update_credentials(locked=True)
    assert carol.account_follow(erin_id)["requested"] is True
    carol.account_unfollow(erin_id)
    assert erin.follow_requests() == []
    [rel] = carol.account_relationships(erin_id)
    assert (rel["following"], rel["requested"]) == (False, False)

    assert carol.account_follow(erin_id)["requested"] is True
    try:
        assert erin.account_update_credentials(locked=False)["locked"] is False
        [rel] = carol.account_relationships(erin_id)
        assert (rel["following"], rel["requested"]) == (True, False), "the pending request was not accepted"
        assert erin.follow_requests() == []
    finally:
        carol.account_unfollow(erin_id)


# --------------------------------------------------------------------------
# Markers, preferences, and what apps ask for at login
# --------------------------------------------------------------------------


def test_markers_and_unread_count(carol, alice, me):
    """Apps keep the reading position in markers; the unread badge counts the
    notifications newer than the `notifications` marker."""
    st = carol.status_post(f"read up to here {RUN}")
    home = carol.markers_set("home", st)
    assert str(home["home"]["last_read_id"]) == str(st["id"])
    version = home["home"]["version"]
    got = carol.markers_get(["home", "notifications"])
    assert str(got["home"]["last_read_id"]) == str(st["id"])
    assert "notifications" not in got or got["notifications"]["last_read_id"]
    again = carol.markers_set("home", st)
    assert again["home"]["version"] > version

    carol.notifications_clear()
    alice.status_favourite(st["id"])
    alice.status_reblog(st["id"])
    try:
        assert carol.notifications_unread_count()["count"] == 2
        newest = carol.notifications(limit=1)[0]
        marks = carol.markers_set("notifications", newest)
        assert str(marks["notifications"]["last_read_id"]) == str(newest["id"])
        assert carol.notifications_unread_count()["count"] == 0
        assert Api(carol.access_token).ok("get", "/api/v1/notifications/unread_count") == {"count": 0}
        # Both markers at once, as apps save them.
        both = carol.markers_get(["home", "notifications"])
        assert set(both) == {"home", "notifications"}
        # Something new is unread again.
        alice.status_reply(st, f"nice {RUN}")
        assert carol.notifications_unread_count()["count"] == 1
    finally:
        alice.status_unreblog(st["id"])
        alice.status_unfavourite(st["id"])


def test_preferences_and_what_apps_load_at_login(dana):
    prefs = dana.preferences()
    assert prefs["posting:default:visibility"] in ("public", "unlisted", "private", "direct")
    assert prefs["posting:default:sensitive"] in (True, False)
    assert prefs["reading:expand:spoilers"] in (True, False)
    assert prefs["reading:expand:media"] in ("default", "show_all", "hide_all")
    # Features Loggia does not have answer an empty list, as Mastodon does
    # when there is nothing (apps stop their login on an error here).
    assert dana.custom_emojis() == []
    assert dana.filters_v2() == []
    assert dana.lists() == []
    assert dana.announcements() == []
    assert dana.trending_tags() == []
    assert dana.trending_statuses() == []
    raw = Api(dana.access_token)
    for path in ("/api/v2/filters", "/api/v1/filters", "/api/v1/followed_tags", "/api/v1/conversations"):
        assert raw.ok("get", path) == [], path


# --------------------------------------------------------------------------
# Delete and revoke
# --------------------------------------------------------------------------


def test_delete(alice, bob, bob_follows_alice):
    st = alice.status_post(f"delete me, *really* {RUN}")
    assert str(st["id"]) in ids(bob.timeline_home(limit=40))
    deleted = alice.status_delete(st["id"])
    # Mastodon returns the source text for "delete and redraft".
    assert deleted["text"] == f"delete me, *really* {RUN}"
    with pytest.raises(MastodonNotFoundError):
        bob.status(st["id"])
    assert str(st["id"]) not in ids(bob.timeline_home(limit=40))
    # Deleting a post takes its boosts with it.
    boosted = alice.status_post(f"boosted, then deleted {RUN}")
    boost = bob.status_reblog(boosted["id"])
    alice.status_delete(boosted["id"])
    assert not _can_see(bob, boost["id"])
    assert str(boost["id"]) not in ids(bob.account_statuses(bob.me()["id"], limit=40))


def test_only_the_author_may_delete(alice, bob):
    """As in Mastodon (Status.where(account: current_account).find), someone
    else's post is "not found" for deleting: 404, not 403."""
    other = alice.status_post(f"not yours {RUN}")
    try:
        with pytest.raises(MastodonNotFoundError):
            bob.status_delete(other["id"])
    finally:
        assert _can_see(bob, other["id"])


def test_revoke_token_at_end(app, alice):
    """Runs last in this module: alice's token is gone afterwards."""
    token = alice.access_token
    alice.revoke_access_token(allow_http=True)
    assert alice.access_token is None
    stale = Mastodon(access_token=token, api_base_url=BASE_URL)
    with pytest.raises(MastodonUnauthorizedError):
        stale.account_verify_credentials()
    r = requests.get(
        f"{BASE_URL}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert r.status_code == 401
