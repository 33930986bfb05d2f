"""Shared helpers for the client-library suites.

The suites are black-box: they talk to a running Loggia over HTTP only. The
runner (../run.sh) starts the server and passes where it is and which users
exist through two environment variables:

  CLIENTS_BASE_URL  e.g. http://localhost:40123
  CLIENTS_USERS     JSON: {"key": {"username": ..., "email": ..., "password": ...}, ...}
"""

import base64
import hashlib
import json
import os
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

OOB = "urn:ietf:wg:oauth:2.0:oob"

try:
    BASE_URL = os.environ["CLIENTS_BASE_URL"].rstrip("/")
    USERS = json.loads(os.environ["CLIENTS_USERS"])
except KeyError as missing:  # pragma: no cover - only when run by hand
    raise pytest.UsageError(
        f"{missing} is not set: run these suites through tests/clients/run.sh"
    )

TIMEOUT = 20


def user(key):
    """The credentials of one of the users the runner created."""
    return USERS[key]


# --------------------------------------------------------------------------
# Plain HTTP helpers (used to verify what the client libraries did)
# --------------------------------------------------------------------------


class Api:
    """A tiny bearer-token HTTP client for checking results independently
    of the client library under test."""

    def __init__(self, token=None):
        self.token = token
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def url(self, path):
        return path if path.startswith("http") else BASE_URL + path

    def get(self, path, **kw):
        return self.http.get(self.url(path), timeout=TIMEOUT, **kw)

    def post(self, path, **kw):
        return self.http.post(self.url(path), timeout=TIMEOUT, **kw)

    def delete(self, path, **kw):
        return self.http.delete(self.url(path), timeout=TIMEOUT, **kw)

    def ok(self, method, path, **kw):
        r = getattr(self, method)(path, **kw)
        assert r.status_code == 200, f"{method.upper()} {path}: {r.status_code} {r.text}"
        return r.json()


def register_app(name, scopes="read write follow", redirect_uris=OOB, website=None):
    data = {"client_name": name, "redirect_uris": redirect_uris, "scopes": scopes}
    if website:
        data["website"] = website
    r = requests.post(f"{BASE_URL}/api/v1/apps", data=data, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


def password_token(key, scopes="read write follow"):
    """An access token for one of the runner's users, by the password grant."""
    app = register_app(f"helper for {key}", scopes)
    u = user(key)
    r = requests.post(
        f"{BASE_URL}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": u["email"],
            "password": u["password"],
            "scope": scopes,
        },
        timeout=TIMEOUT,
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    return verifier, challenge


# --------------------------------------------------------------------------
# A minimal "browser": HTML forms of the sign-in and consent pages
# --------------------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._code = None
        self.code = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": (a.get("method") or "get").lower(),
                "fields": {},
                "buttons": [],
            }
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            if a.get("type") in ("submit", "button"):
                self._form["buttons"].append((a["name"], a.get("value", "")))
            else:
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "button" and self._form is not None and a.get("name"):
            self._form["buttons"].append((a["name"], a.get("value", "")))
        elif tag == "code" and a.get("id") == "code":
            self._code = ""

    def handle_data(self, data):
        if self._code is not None:
            self._code += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "code" and self._code is not None:
            self.code = self._code.strip()
            self._code = None


def parse_forms(html_text):
    p = _Forms()
    p.feed(html_text)
    return p


def is_ours(url):
    return url.startswith(BASE_URL) or url.startswith("/")


class Browser:
    """Walks the HTML sign-in and consent pages like a person with a browser
    would. Never follows a redirect that leaves the server (the app's
    redirect_uri), so the caller can read the code from it."""

    def __init__(self):
        self.http = requests.Session()
        self.history = []

    def _follow(self, r):
        while r.is_redirect:
            loc = urljoin(r.url, r.headers["Location"])
            self.history.append(loc)
            if not is_ours(loc):
                return r
            r = self.http.get(loc, allow_redirects=False, timeout=TIMEOUT)
        return r

    def get(self, url):
        r = self.http.get(url, allow_redirects=False, timeout=TIMEOUT)
        return self._follow(r)

    def submit(self, page, form, extra=None):
        data = dict(form["fields"])
        data.update(extra or {})
        action = urljoin(page.url, form["action"] or page.url)
        if form["method"] == "post":
            r = self.http.post(action, data=data, allow_redirects=False, timeout=TIMEOUT)
        else:
            r = self.http.get(action, params=data, allow_redirects=False, timeout=TIMEOUT)
        return self._follow(r)

    def sign_in_if_asked(self, page, key):
        """If `page` is the sign-in page, sign in as user `key`."""
        forms = parse_forms(page.text).forms
        sign_in = [f for f in forms if "password" in f["fields"] or f["action"].endswith("/auth/sign_in")]
        if not sign_in:
            return page
        f = sign_in[0]
        assert "csrf_token" in f["fields"], f"no csrf_token on the sign-in form: {f}"
        u = user(key)
        return self.submit(page, f, {"login": u["username"], "password": u["password"]})

    def authorize(self, authorize_url, key, decision="approve"):
        """Signs in (if needed) and answers the consent page. Returns the final
        response: a redirect to the app's redirect_uri, or the OOB code page."""
        page = self.get(authorize_url)
        assert page.status_code == 200, f"authorize page: {page.status_code} {page.text[:300]}"
        page = self.sign_in_if_asked(page, key)
        assert page.status_code == 200, f"after sign-in: {page.status_code} {page.text[:300]}"
        forms = parse_forms(page.text).forms
        consent = [f for f in forms if ("decision", decision) in f["buttons"]]
        assert consent, f"no consent form with decision={decision}: {page.text[:1000]}"
        return self.submit(page, consent[0], {"decision": decision})


def code_from(response):
    """The authorization code from the final response of Browser.authorize:
    either the redirect to the app, or the out-of-band page."""
    if response.is_redirect:
        q = parse_qs(urlsplit(response.headers["Location"]).query)
        return q.get("code", [None])[0], q
    parsed = parse_forms(response.text)
    return parsed.code, {}


@pytest.fixture(scope="session")
def base_url():
    return BASE_URL
