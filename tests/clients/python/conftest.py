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
import struct
import zlib
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

    def put(self, path, **kw):
        return self.http.put(self.url(path), timeout=TIMEOUT, **kw)

    def patch(self, path, **kw):
        return self.http.patch(self.url(path), timeout=TIMEOUT, **kw)

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


# --------------------------------------------------------------------------
# Small images, made with the standard library (no Pillow needed)
# --------------------------------------------------------------------------


def png_bytes(width, height, alpha=False):
    """A small PNG (a colour gradient; with `alpha`, half-transparent
    pixels), written with the standard library."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            px = [x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 128]
            if alpha:
                px.append(255 if (x + y) % 2 else 128)
            rows.extend(px)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def _exif(orientation, make):
    """A big-endian TIFF header with IFD0: Make (ASCII) and Orientation."""
    make = make.encode() + b"\0"
    ifd_start, entries = 8, 2
    data_at = ifd_start + 2 + entries * 12 + 4
    tiff = b"MM\x00\x2a" + struct.pack(">I", ifd_start) + struct.pack(">H", entries)
    tiff += struct.pack(">HHII", 0x010F, 2, len(make), data_at)  # Make
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)  # Orientation
    tiff += struct.pack(">I", 0) + make
    return b"Exif\x00\x00" + tiff


def _segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_bytes(width, height, orientation=None, make=None):
    """A small baseline greyscale JPEG (8x8 blocks of flat grey, a checker
    pattern), written with the standard library, optionally with an EXIF
    segment carrying an orientation and a camera make."""
    assert width % 8 == 0 and height % 8 == 0
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # standard luminance DC table
    dc_vals = list(range(12))
    ac_bits = [0, 2] + [0] * 14  # two codes of length 2: EOB (0x00) and an unused symbol
    ac_vals = [0x00, 0x01]

    def codes(bits, vals):
        out, code, k = {}, 0, 0
        for length, n in enumerate(bits, start=1):
            for _ in range(n):
                out[vals[k]] = (code, length)
                code, k = code + 1, k + 1
            code <<= 1
        return out

    dc, ac = codes(dc_bits, dc_vals), codes(ac_bits, ac_vals)
    bitbuf = []

    def put(value, length):
        bitbuf.extend((value >> (length - 1 - i)) & 1 for i in range(length))

    prev = 0
    for by in range(height // 8):
        for bx in range(width // 8):
            grey = 60 if (bx + by) % 2 else 200
            coef = 8 * (grey - 128)  # the DC term of a flat block (quantiser 1)
            diff, prev = coef - prev, coef
            cat = abs(diff).bit_length()
            put(*dc[cat])
            if cat:
                put(diff if diff >= 0 else diff + (1 << cat) - 1, cat)
            put(*ac[0x00])  # end of block: no AC terms
    bitbuf.extend([1] * (-len(bitbuf) % 8))
    scan = bytearray()
    for i in range(0, len(bitbuf), 8):
        byte = int("".join(map(str, bitbuf[i : i + 8])), 2)
        scan.append(byte)
        if byte == 0xFF:
            scan.append(0x00)  # byte stuffing

    out = b"\xff\xd8"
    out += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if orientation is not None or make is not None:
        out += _segment(0xE1, _exif(orientation or 1, make or ""))
    out += _segment(0xDB, b"\x00" + b"\x01" * 64)
    out += _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    out += _segment(0xC4, b"\x00" + bytes(dc_bits) + bytes(dc_vals))
    out += _segment(0xC4, b"\x10" + bytes(ac_bits) + bytes(ac_vals))
    out += _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return out + bytes(scan) + b"\xff\xd9"


def jpeg_size(data):
    """(width, height) from a JPEG's start-of-frame segment."""
    i = 2
    while i < len(data):
        assert data[i] == 0xFF, f"not a marker at {i}"
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    raise AssertionError("no start-of-frame segment")


@pytest.fixture(scope="session")
def base_url():
    return BASE_URL
