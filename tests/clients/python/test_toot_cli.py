"""A realistic `toot` (the Mastodon CLI) session against a running Loggia.

Two employees, toot_ann and toot_ben, log in with `toot login_cli` into a
throw-away configuration directory and use the CLI the way people do. Results
are checked in toot's output and, where useful, through the HTTP API with the
access tokens toot saved.
"""

import json
import os
import re
import select
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

import pytest
import requests

from conftest import BASE_URL, Api, Browser, code_from, jpeg_bytes, png_bytes, user

TOOT = os.path.join(os.path.dirname(sys.executable), "toot")
INSTANCE = urlsplit(BASE_URL).netloc  # localhost:PORT, the server's domain
RUN = uuid.uuid4().hex[:8]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
POSTED = re.compile(r"Toot posted: (\S+)/(\d+)\s*$", re.M)


class Toot:
    def __init__(self, home):
        self.home = str(home)
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CLIENTS_", "XDG_", "TOOT_"))
        }
        self.env.update(
            HOME=self.home,
            XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
            COLUMNS="100",
            LINES="40",
            NO_COLOR="1",
            # toot opens a pager or an editor only when asked; never block.
            PAGER="cat",
            EDITOR="false",
        )

    @property
    def config_path(self):
        return os.path.join(self.home, ".config", "toot", "config.json")

    def config(self):
        with open(self.config_path) as f:
            return json.load(f)

    def run(self, *args, who=None, check=True, stdin=None):
        cmd = [TOOT]
        if who:
            cmd += ["--as", f"{user(who)['username']}@{INSTANCE}"]
        cmd += list(args)
        p = subprocess.run(
            cmd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
        if check:
            assert p.returncode == 0, f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
        return p

    def json(self, *args, who=None):
        return json.loads(self.run(*args, "--json", who=who).stdout)

    def post(self, text, *args, who):
        out = self.run("post", *args, text, who=who).stdout
        m = POSTED.search(out)
        assert m, out
        assert m.group(1) == f"{BASE_URL}/@{user(who)['username']}"
        return m.group(2)

    def run_in_terminal(self, *args, who, lines=40, presses=10, timeout=30):
        """Runs toot in a pseudo-terminal `lines` high (its pager reads keys
        from the terminal) and presses Space whenever it asks to continue,
        `q` after `presses` pages."""
        import pty
        import signal

        cmd = [TOOT, "--as", f"{user(who)['username']}@{INSTANCE}", *args]
        env = {**self.env, "LINES": str(lines)}
        pid, fd = pty.fork()
        if pid == 0:  # child: becomes toot, with the pty as its terminal
            try:
                os.execve(TOOT, cmd, env)
            finally:
                os._exit(127)
        # click switches the terminal to raw mode with TCSAFLUSH, which drops
        # a key typed too early: while a prompt is unanswered (no output
        # since), press again every half second.
        out, deadline, prompts = b"", time.monotonic() + timeout, 0
        waiting = False
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.5)
                if not ready:
                    if waiting:
                        os.write(fd, b" " if prompts <= presses else b"q")
                    continue
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
                waiting = False
                if out.count(b"to continue") > prompts:
                    prompts = out.count(b"to continue")
                    waiting = True
            else:
                os.kill(pid, signal.SIGKILL)
        finally:
            _, status = os.waitpid(pid, 0)
            os.close(fd)
        text = ANSI.sub("", out.decode("utf-8", "replace")).replace("\r\n", "\n")
        return os.waitstatus_to_exitcode(status), text


@pytest.fixture(scope="module")
def toot(tmp_path_factory):
    return Toot(tmp_path_factory.mktemp("toot-home"))


def login_with_browser(toot, who):
    """`toot login`: toot prints an authorization URL, the person opens it in
    a browser, signs in, approves, and pastes the code shown back into toot."""
    p = subprocess.Popen(
        [TOOT, "login", "-i", BASE_URL],
        env={**toot.env, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url, seen = None, ""
        while url is None:
            line = p.stdout.readline()
            assert line, f"toot login ended early:\n{seen}\n{p.stderr.read()}"
            seen += line
            if line.startswith(BASE_URL + "/oauth/authorize"):
                url = line.strip()
        final = Browser().authorize(url, who)
        assert final.status_code == 200, final.text[:500]
        code, _ = code_from(final)
        assert code, final.text[:800]
        # "Open link in default browser? [Y/n]" -> n; "Authorization code:" -> code
        out, err = p.communicate(f"n\n{code}\n", timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, f"{seen}{out}\n{err}"
    return seen + out


@pytest.fixture(scope="module")
def logged_in(toot):
    # Ann types her password into the CLI ...
    u = user("toot_ann")
    p = toot.run("login_cli", "-i", BASE_URL, "-e", u["email"], "-p", u["password"])
    assert "Successfully logged in" in p.stdout
    assert toot.config_path in p.stdout
    # ... Ben uses the recommended browser flow.
    out = login_with_browser(toot, "toot_ben")
    assert "Successfully logged in" in out
    return toot


def api_as(toot, who):
    """An HTTP client with the token toot saved for `who`."""
    key = f"{user(who)['username']}@{INSTANCE}"
    return Api(toot.config()["users"][key]["access_token"])


def test_login_cli_stores_credentials_in_the_given_home(logged_in):
    cfg = logged_in.config()
    assert cfg["apps"][INSTANCE]["base_url"] == BASE_URL
    for who in ("toot_ann", "toot_ben"):
        assert f"{user(who)['username']}@{INSTANCE}" in cfg["users"]
    assert cfg["active_user"] == f"{user('toot_ben')['username']}@{INSTANCE}"
    out = logged_in.run("auth").stdout
    assert f"{user('toot_ann')['username']}@{INSTANCE}" in out
    # The app toot registered is the one the server knows the token by.
    app = api_as(logged_in, "toot_ann").ok("get", "/api/v1/apps/verify_credentials")
    assert app["name"] == "toot - a Mastodon CLI client"


def test_login_works_in_allowlist_mode(logged_in):
    """The runner put the instance in allowlist mode: other servers must now
    sign their reads (and be partners), yet both of toot's logins above
    worked and the client API answers as usual."""
    name = user("toot_ann")["username"]
    r = requests.get(
        f"{BASE_URL}/users/{name}",
        headers={"Accept": "application/activity+json"},
        timeout=20,
    )
    assert r.status_code == 401, r.text
    assert api_as(logged_in, "toot_ann").ok("get", "/api/v1/accounts/verify_credentials")["username"] == name
    for path in ("/api/v1/instance", "/api/v2/instance", "/.well-known/nodeinfo"):
        assert requests.get(BASE_URL + path, timeout=20).status_code == 200, path


def test_login_cli_with_a_wrong_password_fails(toot):
    p = toot.run("login_cli", "-i", BASE_URL, "-e", user("toot_ann")["email"], "-p", "wrong password", check=False)
    assert p.returncode != 0
    assert "Successfully" not in p.stdout


def test_whoami(logged_in):
    out = logged_in.run("whoami", who="toot_ann").stdout
    assert f"@{user('toot_ann')['username']}" in out
    assert f"{BASE_URL}/@{user('toot_ann')['username']}" in out
    data = logged_in.json("whoami", who="toot_ann")
    assert data["username"] == user("toot_ann")["username"]
    assert data["acct"] == user("toot_ann")["username"]


def test_instance(logged_in):
    out = logged_in.run("instance", who="toot_ann").stdout
    assert "Loggia" in out
    assert INSTANCE in out


@pytest.fixture(scope="module")
def posts(logged_in):
    ben = user("toot_ben")["username"]
    return {
        "public": logged_in.post(f"public from toot {RUN}", "--visibility", "public", who="toot_ann"),
        "unlisted": logged_in.post(f"unlisted from toot {RUN}", "--visibility", "unlisted", who="toot_ann"),
        "private": logged_in.post(f"private from toot {RUN}", "--visibility", "private", who="toot_ann"),
        "direct": logged_in.post(f"@{ben} direct from toot {RUN}", "--visibility", "direct", who="toot_ann"),
    }


def test_post_in_each_visibility(logged_in, posts):
    ann = api_as(logged_in, "toot_ann")
    for vis, sid in posts.items():
        st = ann.ok("get", f"/api/v1/statuses/{sid}")
        assert st["visibility"] == vis
        assert st["local_only"] is False
        assert st["application"]["name"] == "toot - a Mastodon CLI client"
        assert f"{vis} from toot {RUN}" in st["content"]
    # Who sees what: ben (not a follower, but mentioned in the direct post)
    # and someone not signed in.
    ben, anon = api_as(logged_in, "toot_ben"), Api()
    assert {v for v, s in posts.items() if ben.get(f"/api/v1/statuses/{s}").status_code == 200} == {
        "public",
        "unlisted",
        "direct",
    }
    assert {v for v, s in posts.items() if anon.get(f"/api/v1/statuses/{s}").status_code == 200} == {
        "public",
        "unlisted",
    }


def test_post_with_spoiler_language_and_sensitive(logged_in):
    sid = logged_in.post(f"rollout details {RUN}", "-p", "deploy", "-s", "-l", "en", who="toot_ann")
    st = api_as(logged_in, "toot_ann").ok("get", f"/api/v1/statuses/{sid}")
    assert st["spoiler_text"] == "deploy" and st["sensitive"] is True and st["language"] == "en"
    # toot's text output does not show content warnings; its JSON does.
    seen = logged_in.json("status", sid, who="toot_ben")
    assert seen["spoiler_text"] == "deploy" and seen["sensitive"] is True
    assert f"rollout details {RUN}" in logged_in.run("status", sid, who="toot_ben").stdout


def test_timelines_home(logged_in, posts):
    out = logged_in.run("timelines", "home", "--no-pager", "--no-clear", who="toot_ann").stdout
    for vis, sid in posts.items():
        assert f"ID {sid}" in out
        assert f"{vis} from toot {RUN}" in out
    assert re.search(rf"ID {posts['private']}\s+Visibility: private", out)
    data = logged_in.json("timelines", "home", "--limit", "2", who="toot_ann")
    assert [s["id"] for s in data] == sorted([s["id"] for s in data], key=int, reverse=True)
    assert len(data) == 2


def test_timelines_public_local(logged_in, posts):
    data = logged_in.json("timelines", "public", "--local", "--limit", "40", who="toot_ben")
    seen = {s["id"] for s in data}
    assert posts["public"] in seen
    assert not {posts["unlisted"], posts["private"], posts["direct"]} & seen
    out = logged_in.run("timelines", "public", "--local", "--no-pager", "--no-clear", who="toot_ben").stdout
    assert f"public from toot {RUN}" in out


def test_deprecated_timeline_command(logged_in, posts):
    out = logged_in.run("timeline", "--once", "--count", "5", who="toot_ann").stdout
    assert f"ID {posts['direct']}" in out
    out = logged_in.run("timeline", "--public", "--local", "--once", who="toot_ben").stdout
    assert f"ID {posts['public']}" in out
    assert f"ID {posts['unlisted']}" not in out


def test_timeline_pager_follows_link_headers(logged_in, posts):
    """`toot timelines home --pager` fetches page after page through the Link
    rel=next header while the user presses Space."""
    code, out = logged_in.run_in_terminal(
        "timelines", "home", "--pager", "--limit", "2", "--no-clear", who="toot_ann", lines=16, presses=10
    )
    assert code == 0, out
    assert "to continue" in out, "expected more than one screen"
    shown = re.findall(r"ID (\d+)", out)
    # All four posts, in order, although each request returned only two.
    order = [posts[v] for v in ("direct", "private", "unlisted", "public")]
    assert [i for i in shown if i in order] == order, out
    assert len(shown) == len(set(shown)), "a status was shown twice"


def test_reply_and_thread(logged_in, posts):
    ann = user("toot_ann")["username"]
    rid = logged_in.post(f"@{ann} sounds good {RUN}", "--reply-to", posts["public"], who="toot_ben")
    st = api_as(logged_in, "toot_ben").ok("get", f"/api/v1/statuses/{rid}")
    assert st["in_reply_to_id"] == posts["public"]
    assert st["mentions"][0]["username"] == ann
    out = logged_in.run("thread", posts["public"], who="toot_ann").stdout
    assert f"public from toot {RUN}" in out and f"sounds good {RUN}" in out
    data = logged_in.json("thread", rid, who="toot_ann")
    assert [s["id"] for s in data["ancestors"]] == [posts["public"]]


def test_favourite_reblog_bookmark(logged_in, posts):
    sid = posts["public"]
    ben = api_as(logged_in, "toot_ben")
    ben_id = ben.ok("get", "/api/v1/accounts/verify_credentials")["id"]

    assert "✓ Status favourited" in logged_in.run("favourite", sid, who="toot_ben").stdout
    assert "✓ Status reblogged" in logged_in.run("reblog", sid, who="toot_ben").stdout
    assert "✓ Status bookmarked" in logged_in.run("bookmark", sid, who="toot_ben").stdout

    st = ben.ok("get", f"/api/v1/statuses/{sid}")
    assert (st["favourited"], st["reblogged"], st["bookmarked"]) == (True, True, True)
    assert st["favourites_count"] == 1 and st["reblogs_count"] == 1
    assert ben_id in [a["id"] for a in ben.ok("get", f"/api/v1/statuses/{sid}/favourited_by")]

    out = logged_in.run("reblogged-by", sid, who="toot_ann").stdout
    assert user("toot_ben")["username"] in out
    out = logged_in.run("bookmarks", "--once", who="toot_ben").stdout
    assert f"ID {sid}" in out
    out = logged_in.run("timelines", "favourites", "--no-pager", "--no-clear", who="toot_ben").stdout
    assert f"ID {sid}" in out

    assert "✓ Status unfavourited" in logged_in.run("unfavourite", sid, who="toot_ben").stdout
    assert "✓ Status unreblogged" in logged_in.run("unreblog", sid, who="toot_ben").stdout
    assert "✓ Status unbookmarked" in logged_in.run("unbookmark", sid, who="toot_ben").stdout
    st = ben.ok("get", f"/api/v1/statuses/{sid}")
    assert (st["favourited"], st["reblogged"], st["bookmarked"]) == (False, False, False)


def test_pin_own_post_only(logged_in, posts):
    assert "✓ Status pinned" in logged_in.run("pin", posts["public"], who="toot_ann").stdout
    ann = api_as(logged_in, "toot_ann")
    me = ann.ok("get", "/api/v1/accounts/verify_credentials")["id"]
    pinned = ann.ok("get", f"/api/v1/accounts/{me}/statuses", params={"pinned": "true"})
    assert [s["id"] for s in pinned] == [posts["public"]]
    p = logged_in.run("pin", posts["public"], who="toot_ben", check=False)
    assert p.returncode != 0 and "Error" in p.stderr
    assert "✓ Status unpinned" in logged_in.run("unpin", posts["public"], who="toot_ann").stdout
    assert ann.ok("get", f"/api/v1/accounts/{me}/statuses", params={"pinned": "true"}) == []


def test_notifications(logged_in, posts):
    sid = posts["unlisted"]
    logged_in.run("favourite", sid, who="toot_ben")
    logged_in.run("reblog", sid, who="toot_ben")
    ben = user("toot_ben")["username"]
    out = logged_in.run("notifications", who="toot_ann").stdout
    assert f"@{ben} favourited your status" in out
    assert f"@{ben} boosted your status" in out
    assert f"@{ben} mentioned you" in out  # the reply in test_reply_and_thread
    mentions = logged_in.json("notifications", "--type", "mention", who="toot_ann")
    assert mentions and {n["type"] for n in mentions} == {"mention"}
    excluded = logged_in.json("notifications", "--exclude-type", "mention", who="toot_ann")
    assert excluded and "mention" not in {n["type"] for n in excluded}

    assert "Notifications cleared" in logged_in.run("notifications", "--clear", who="toot_ann").stdout
    assert api_as(logged_in, "toot_ann").ok("get", "/api/v1/notifications") == []
    assert logged_in.json("notifications", who="toot_ann") == []


def test_follow_with_toot(logged_in):
    """toot resolves the handle through /api/v2/search (type=accounts) and
    follows the account it finds."""
    ann = user("toot_ann")["username"]
    out = logged_in.run("follow", ann, who="toot_ben").stdout
    assert f"You are now following {ann}" in out
    # The full handle resolves to the same person; following again is harmless.
    rel = logged_in.json("follow", f"@{ann}@{INSTANCE}", who="toot_ben")
    assert rel["following"] is True and rel["requested"] is False


def test_follow_shows_up_in_toot(logged_in, posts):
    """Ben follows Ann (previous test): her followers-only posts reach his
    home timeline, and toot's account commands show the follow."""
    ann, ben_name = user("toot_ann")["username"], user("toot_ben")["username"]
    sid = logged_in.post(f"for followers only {RUN}", "--visibility", "private", who="toot_ann")
    out = logged_in.run("timelines", "home", "--no-pager", "--no-clear", who="toot_ben").stdout
    assert f"for followers only {RUN}" in out
    out = logged_in.run("notifications", "--type", "follow", who="toot_ann").stdout
    assert f"@{ben_name} now follows you" in out
    out = logged_in.run("status", sid, who="toot_ben").stdout
    assert "Visibility: private" in out
    assert f"@{ann}" in logged_in.run("following", who="toot_ben").stdout
    assert f"@{ben_name}" in logged_in.run("followers", ann, who="toot_ben").stdout
    out = logged_in.run("whois", ann, who="toot_ben").stdout
    assert f"@{ann}" in out and re.search(r"Followers: 1\b", out), out
    data = logged_in.json("timelines", "account", ann, "--limit", "40", who="toot_ben")
    assert sid in [s["id"] for s in data]


def test_unfollow_with_toot(logged_in):
    ann = user("toot_ann")["username"]
    out = logged_in.run("unfollow", ann, who="toot_ben").stdout
    assert f"You are no longer following {ann}" in out
    ben = api_as(logged_in, "toot_ben")
    ann_id = ben.ok("get", "/api/v1/accounts/lookup", params={"acct": ann})["id"]
    [rel] = ben.ok("get", "/api/v1/accounts/relationships", params={"id[]": ann_id})
    assert rel["following"] is False
    p = logged_in.run("follow", f"nobody_{RUN}", who="toot_ben", check=False)
    assert p.returncode != 0 and "Account not found" in p.stderr


def test_search(logged_in, posts):
    word = f"wombat{RUN}"
    tag = f"carpark{RUN}"
    sid = logged_in.post(f"Spotted a {word} in the car park #{tag}", who="toot_ann")
    out = logged_in.run("search", word, who="toot_ben").stdout
    assert "Statuses:" in out and f"{sid} {BASE_URL}/@{user('toot_ann')['username']}/{sid}" in out, out
    out = logged_in.run("search", user("toot_ann")["username"], "--type", "accounts", who="toot_ben").stdout
    assert "Accounts:" in out and f"@{user('toot_ann')['username']}" in out
    data = logged_in.json("search", f"#{tag}", "--type", "hashtags", who="toot_ben")
    assert [t["name"].lower() for t in data["hashtags"]] == [tag]
    assert "Nothing found" in logged_in.run("search", f"nothing{RUN}", who="toot_ben").stdout
    # Only what the searcher may see: Ben is mentioned in the direct post and
    # does not follow Ann (any more), so her private post stays hidden.
    found = logged_in.json("search", f"from toot {RUN}", "--type", "statuses", who="toot_ben")["statuses"]
    found = {s["id"] for s in found}
    assert {posts["public"], posts["direct"]} <= found
    assert posts["private"] not in found


def test_post_with_media_and_descriptions(logged_in, tmp_path):
    plan, photo = tmp_path / "floor-plan.png", tmp_path / "team.jpg"
    plan.write_bytes(png_bytes(40, 30))
    photo.write_bytes(jpeg_bytes(24, 16))
    sid = logged_in.post(
        f"the new office layout {RUN}",
        "--media", str(plan), "--description", f"floor plan, 3rd floor {RUN}",
        "--media", str(photo), "--description", "the team at the new desks",
        who="toot_ann",
    )
    st = api_as(logged_in, "toot_ann").ok("get", f"/api/v1/statuses/{sid}")
    atts = st["media_attachments"]
    assert [(a["type"], a["description"]) for a in atts] == [
        ("image", f"floor plan, 3rd floor {RUN}"),
        ("image", "the team at the new desks"),
    ]
    assert (atts[0]["meta"]["original"]["width"], atts[0]["meta"]["original"]["height"]) == (40, 30)
    for a in atts:
        r = Api().get(a["url"])
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/"), a["url"]
    out = logged_in.run("status", sid, who="toot_ben").stdout
    assert "Media:" in out and atts[0]["url"] in out and atts[1]["url"] in out


def test_upload_and_picture_only_post(logged_in, tmp_path):
    pic = tmp_path / "badge.png"
    pic.write_bytes(png_bytes(16, 16, alpha=True))
    out = logged_in.run("upload", str(pic), "--description", f"new badge {RUN}", who="toot_ann").stdout
    assert re.search(r"Successfully uploaded media ID \d+, type 'image'", out), out
    data = logged_in.json("upload", str(pic), "--description", f"new badge {RUN}", who="toot_ann")
    assert data["description"] == f"new badge {RUN}" and data["url"]
    # A post of just a picture (toot reads the empty text from stdin).
    sid = logged_in.post("", "--media", str(pic), "--description", f"badge only {RUN}", who="toot_ann")
    st = api_as(logged_in, "toot_ann").ok("get", f"/api/v1/statuses/{sid}")
    assert [a["description"] for a in st["media_attachments"]] == [f"badge only {RUN}"]
    # Not a picture: toot reports the server's refusal.
    notes = tmp_path / "notes.txt"
    notes.write_text("meeting notes\n")
    p = logged_in.run("post", f"with notes {RUN}", "--media", str(notes), who="toot_ann", check=False)
    assert p.returncode != 0 and "Error" in p.stderr, p.stderr
    latest = logged_in.json("timelines", "home", "--limit", "1", who="toot_ann")
    assert f"with notes {RUN}" not in latest[0]["content"]


def test_lists_and_tags_are_empty(logged_in):
    """Endpoints Loggia answers with an empty list (no lists or followed tags yet)."""
    assert "You have no lists defined." in logged_in.run("lists", "list", who="toot_ben").stdout
    assert "You're not following any hashtags" in logged_in.run("tags", "followed", who="toot_ben").stdout
    assert "You don't have any featured hashtags" in logged_in.run("tags", "featured", who="toot_ben").stdout


def test_update_account(logged_in, tmp_path):
    avatar = tmp_path / "ann.png"
    avatar.write_bytes(png_bytes(64, 64))
    out = logged_in.run(
        "update_account",
        "--display-name", f"Ann from Facilities {RUN}",
        "--note", f"Desks, keys and parking {RUN}",
        "--avatar", str(avatar),
        "--locked",
        "--privacy", "unlisted",
        who="toot_ann",
    ).stdout
    assert "✓ Account updated" in out
    me = logged_in.json("whoami", who="toot_ann")
    assert me["display_name"] == f"Ann from Facilities {RUN}"
    assert me["locked"] is True
    assert f"Desks, keys and parking {RUN}" in me["note"]
    assert me["source"]["privacy"] == "unlisted"
    r = Api().get(me["avatar"])
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/")
    out = logged_in.run("whoami", who="toot_ann").stdout
    assert f"Ann from Facilities {RUN}" in out and f"Desks, keys and parking {RUN}" in out
    # The new default audience: posts made without --visibility are unlisted.
    sid = logged_in.post(f"default audience {RUN}", who="toot_ann")
    assert api_as(logged_in, "toot_ann").ok("get", f"/api/v1/statuses/{sid}")["visibility"] == "unlisted"
    # The hyphenated command name works the same.
    assert "✓ Account updated" in logged_in.run("update-account", "--privacy", "public", who="toot_ann").stdout


def test_follow_requests_with_toot(logged_in):
    """Ann's account is locked (previous test): Ben's follow is a request that
    she accepts, and the next one she rejects."""
    ann, ben = user("toot_ann")["username"], user("toot_ben")["username"]
    ben_api = api_as(logged_in, "toot_ben")
    ann_id = ben_api.ok("get", "/api/v1/accounts/lookup", params={"acct": ann})["id"]

    def relationship():
        [rel] = ben_api.ok("get", "/api/v1/accounts/relationships", params={"id[]": ann_id})
        return rel["following"], rel["requested"]

    try:
        rel = logged_in.json("follow", ann, who="toot_ben")
        assert (rel["following"], rel["requested"]) == (False, True)
        assert f"@{ben}" in logged_in.run("follow-requests", "list", who="toot_ann").stdout
        out = logged_in.run("follow-requests", "accept", ben, who="toot_ann").stdout
        assert f"✓ {ben} is now following you" in out
        assert relationship() == (True, False)
        assert logged_in.json("follow-requests", "list", who="toot_ann") == []

        logged_in.run("unfollow", ann, who="toot_ben")
        logged_in.run("follow", ann, who="toot_ben")
        assert relationship() == (False, True)
        out = logged_in.run("follow-requests", "reject", ben, who="toot_ann").stdout
        assert f"✓ follow request from {ben} rejected" in out
        assert relationship() == (False, False)
        assert logged_in.json("follow-requests", "list", who="toot_ann") == []
    finally:
        logged_in.run("update_account", "--no-locked", who="toot_ann")
        assert logged_in.json("whoami", who="toot_ann")["locked"] is False


def test_delete(logged_in):
    sid = logged_in.post(f"typo, deleting {RUN}", who="toot_ann")
    p = logged_in.run("delete", sid, who="toot_ben", check=False)
    assert p.returncode != 0
    assert "✓ Status deleted" in logged_in.run("delete", sid, who="toot_ann").stdout
    assert api_as(logged_in, "toot_ann").get(f"/api/v1/statuses/{sid}").status_code == 404
    p = logged_in.run("status", sid, who="toot_ann", check=False)
    assert p.returncode != 0


def test_logout_and_revoke(logged_in):
    key = f"{user('toot_ben')['username']}@{INSTANCE}"
    cfg = logged_in.config()
    token, app = cfg["users"][key]["access_token"], cfg["apps"][INSTANCE]
    out = logged_in.run("logout", key).stdout
    assert f"Account {key} logged out" in out
    assert key not in logged_in.config()["users"]
    # toot only forgets the token; revoking it is the server's job.
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 200
    r = Api().post(
        "/oauth/revoke",
        data={"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token},
    )
    assert r.status_code == 200, r.text
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 401
    # Ann's session with the same app is unaffected.
    assert api_as(logged_in, "toot_ann").get("/api/v1/accounts/verify_credentials").status_code == 200
