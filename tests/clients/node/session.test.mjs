// A session with the `masto` client library (as used by Elk and other web
// apps) against a running Loggia. Run through ../run.sh, which starts the
// server and sets CLIENTS_BASE_URL and CLIENTS_USERS.
//
// Users: masto_amy posts; masto_ben follows her and interacts; masto_cy
// edits her profile and locks her account.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { deflateSync } from "node:zlib";
import { createRestAPIClient, MastoHttpError } from "masto";

const BASE_URL = process.env.CLIENTS_BASE_URL;
const USERS = JSON.parse(process.env.CLIENTS_USERS ?? "null");
if (!BASE_URL || !USERS) {
  throw new Error("CLIENTS_BASE_URL / CLIENTS_USERS not set: run through tests/clients/run.sh");
}
const RUN = randomUUID().slice(0, 8);
const SCOPES = "read write follow";

async function formPost(path, body) {
  const res = await fetch(BASE_URL + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let app;
async function login(key) {
  const u = USERS[key];
  const tok = await formPost("/oauth/token", {
    grant_type: "password",
    client_id: app.client_id,
    client_secret: app.client_secret,
    username: u.email,
    password: u.password,
    scope: SCOPES,
  });
  assert.equal(tok.token_type.toLowerCase(), "bearer");
  return {
    token: tok.access_token,
    masto: createRestAPIClient({ url: BASE_URL, accessToken: tok.access_token }),
  };
}

async function expectHttpError(promise, status) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof MastoHttpError, `expected MastoHttpError, got ${err}`);
    assert.equal(err.statusCode, status);
    return true;
  });
}

// A small PNG (a colour gradient), made without an image library.
function crc32(bytes) {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
function png(width, height) {
  const chunk = (kind, data) => {
    const body = Buffer.concat([Buffer.from(kind, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3); // filter byte 0, then RGB
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = Math.floor((x * 255) / Math.max(width - 1, 1));
      rows[row + 2 + x * 3] = Math.floor((y * 255) / Math.max(height - 1, 1));
      rows[row + 3 + x * 3] = 128;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// A media file as a browser loads it: no token, an image content type.
async function getImage(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  assert.match(res.headers.get("content-type"), /^image\//);
  return res;
}

let amy, ben, cy, amyId, benId, cyId;

before(async () => {
  app = await formPost("/api/v1/apps", {
    client_name: `Loggia client tests (masto) ${RUN}`,
    redirect_uris: "urn:ietf:wg:oauth:2.0:oob",
    scopes: SCOPES,
  });
  amy = (await login("masto_amy")).masto;
  ben = (await login("masto_ben")).masto;
  cy = (await login("masto_cy")).masto;
  cyId = (await cy.v1.accounts.verifyCredentials()).id;
});

test("verify credentials", async () => {
  const me = await amy.v1.accounts.verifyCredentials();
  assert.equal(me.username, USERS.masto_amy.username);
  assert.equal(me.acct, USERS.masto_amy.username);
  assert.ok(me.source, "CredentialAccount has source");
  amyId = me.id;
  benId = (await ben.v1.accounts.verifyCredentials()).id;
  const looked = await ben.v1.accounts.lookup({ acct: USERS.masto_amy.username });
  assert.equal(looked.id, amyId);
  const fetched = await ben.v1.accounts.$select(amyId).fetch();
  assert.equal(fetched.username, USERS.masto_amy.username);
});

test("instance", async () => {
  const v1 = await amy.v1.instance.fetch();
  assert.equal(v1.uri, new URL(BASE_URL).host);
  const v2 = await amy.v2.instance.fetch();
  assert.equal(v2.domain, new URL(BASE_URL).host);
});

test("post in each audience, including company-only", async () => {
  for (const visibility of ["public", "unlisted", "private", "direct"]) {
    const st = await amy.v1.statuses.create({ status: `${visibility} from masto ${RUN}`, visibility });
    assert.equal(st.visibility, visibility);
    assert.equal(st.localOnly, false);
    assert.equal(st.account.id, amyId);
    assert.match(st.content, new RegExp(`${visibility} from masto ${RUN}`));
  }
  // The additive local_only flag, sent camelCased like every masto parameter.
  const flagged = await amy.v1.statuses.create({ status: `company-only ${RUN}`, localOnly: true });
  assert.equal(flagged.localOnly, true);
  assert.equal(flagged.visibility, "public");
  const local = await amy.v1.statuses.create({ status: `company-only 2 ${RUN}`, visibility: "local" });
  assert.equal(local.localOnly, true);
  // Company-only posts are not for anonymous readers.
  const res = await fetch(`${BASE_URL}/api/v1/statuses/${local.id}`);
  assert.equal(res.status, 404);
  const seen = await ben.v1.statuses.$select(local.id).fetch();
  assert.equal(seen.localOnly, true);
});

test("favourite and unfavourite", async () => {
  const st = await amy.v1.statuses.create({ status: `favourite me ${RUN}` });
  const fav = await ben.v1.statuses.$select(st.id).favourite();
  assert.equal(fav.favourited, true);
  assert.equal(fav.favouritesCount, 1);
  const by = await amy.v1.statuses.$select(st.id).favouritedBy.list();
  assert.deepEqual(by.map((a) => a.id), [benId]);
  const favs = await ben.v1.favourites.list({ limit: 5 });
  assert.equal(favs[0].id, st.id);
  const unfav = await ben.v1.statuses.$select(st.id).unfavourite();
  assert.equal(unfav.favourited, false);
  assert.equal(unfav.favouritesCount, 0);
});

test("reblog and unreblog", async () => {
  const st = await amy.v1.statuses.create({ status: `boost me ${RUN}` });
  const boost = await ben.v1.statuses.$select(st.id).reblog();
  assert.ok(boost.reblog, "the reblog wraps the original");
  assert.equal(boost.reblog.id, st.id);
  assert.equal(boost.reblog.reblogged, true);
  assert.equal(boost.account.id, benId);
  const by = await amy.v1.statuses.$select(st.id).rebloggedBy.list();
  assert.deepEqual(by.map((a) => a.id), [benId]);
  const un = await ben.v1.statuses.$select(st.id).unreblog();
  assert.equal(un.id, st.id);
  assert.equal(un.reblogged, false);
  assert.equal(un.reblogsCount, 0);
});

test("bookmark and pin", async () => {
  const st = await amy.v1.statuses.create({ status: `bookmark and pin me ${RUN}` });
  assert.equal((await ben.v1.statuses.$select(st.id).bookmark()).bookmarked, true);
  assert.equal((await ben.v1.bookmarks.list())[0].id, st.id);
  assert.equal((await ben.v1.statuses.$select(st.id).unbookmark()).bookmarked, false);
  assert.equal((await amy.v1.statuses.$select(st.id).pin()).pinned, true);
  const pinned = await ben.v1.accounts.$select(amyId).statuses.list({ pinned: true });
  assert.deepEqual(pinned.map((s) => s.id), [st.id]);
  await expectHttpError(ben.v1.statuses.$select(st.id).pin(), 422);
  assert.equal((await amy.v1.statuses.$select(st.id).unpin()).pinned, false);
});

test("reply and context", async () => {
  const root = await amy.v1.statuses.create({ status: `question ${RUN}` });
  const reply = await ben.v1.statuses.create({
    status: `@${USERS.masto_amy.username} answer ${RUN}`,
    inReplyToId: root.id,
  });
  assert.equal(reply.inReplyToId, root.id);
  assert.equal(reply.inReplyToAccountId, amyId);
  const ctx = await amy.v1.statuses.$select(root.id).context.fetch();
  assert.deepEqual(ctx.descendants.map((s) => s.id), [reply.id]);
  assert.deepEqual(ctx.ancestors, []);
});

test("home timeline pagination with the paginator", async () => {
  const mine = [];
  for (let i = 0; i < 5; i++) {
    mine.push((await amy.v1.statuses.create({ status: `page ${i} ${RUN}`, visibility: "unlisted" })).id);
  }
  mine.reverse(); // newest first
  const all = (await amy.v1.timelines.home.list({ limit: 40 })).map((s) => s.id);
  assert.deepEqual(all.slice(0, 5), mine);

  // for await over the paginator follows Link rel="next" page after page.
  const pages = [];
  for await (const page of amy.v1.timelines.home.list({ limit: 2 })) {
    pages.push(page.map((s) => s.id));
    if (pages.length > 50) break;
  }
  assert.ok(pages.every((p) => p.length <= 2));
  assert.deepEqual(pages.flat(), all, "pages walked through Link headers add up to the timeline");
  // maxId: strictly older.
  const older = await amy.v1.timelines.home.list({ maxId: mine[1], limit: 2 });
  assert.deepEqual(older.map((s) => s.id), mine.slice(2, 4));
  // minId: the ones right after, newest first.
  const newer = await amy.v1.timelines.home.list({ minId: mine[4], limit: 2 });
  assert.deepEqual(newer.map((s) => s.id), [mine[2], mine[3]]);
  // Backwards with the paginator (Link rel="prev").
  const back = amy.v1.timelines.home.list({ maxId: mine[2], limit: 1 }).setDirection("prev").values();
  const first = await back.next();
  assert.deepEqual(first.value.map((s) => s.id), [mine[3]]);
  const second = await back.next();
  assert.deepEqual(second.value.map((s) => s.id), [mine[2]]);
});

test("follow, relationships and unfollow", async () => {
  const rel = await ben.v1.accounts.$select(amyId).follow({ reblogs: false, notify: true });
  assert.equal(rel.following, true);
  assert.equal(rel.showingReblogs, false);
  assert.equal(rel.notifying, true);
  const [r] = await ben.v1.accounts.relationships.fetch({ id: [amyId] });
  assert.equal(r.id, amyId);
  assert.equal(r.following, true);
  assert.equal(r.followedBy, false);
  const [back] = await amy.v1.accounts.relationships.fetch({ id: [benId] });
  assert.equal(back.followedBy, true);
  const followers = await amy.v1.accounts.$select(amyId).followers.list();
  assert.ok(followers.some((a) => a.id === benId));
  const following = await ben.v1.accounts.$select(benId).following.list();
  assert.ok(following.some((a) => a.id === amyId));

  const st = await amy.v1.statuses.create({ status: `followers only ${RUN}`, visibility: "private" });
  const home = await ben.v1.timelines.home.list({ limit: 40 });
  assert.ok(home.some((s) => s.id === st.id), "follower sees the private post at home");

  const un = await ben.v1.accounts.$select(amyId).unfollow();
  assert.equal(un.following, false);
  const [after] = await ben.v1.accounts.relationships.fetch({ id: [amyId] });
  assert.equal(after.following, false);
  await expectHttpError(ben.v1.statuses.$select(st.id).fetch(), 404);
});

test("notifications list, filter and clear", async () => {
  await amy.v1.notifications.clear();
  const st = await amy.v1.statuses.create({ status: `notify me ${RUN}` });
  await ben.v1.accounts.$select(amyId).follow();
  await ben.v1.statuses.$select(st.id).favourite();
  await ben.v1.statuses.$select(st.id).reblog();

  const list = await amy.v1.notifications.list({ limit: 40 });
  assert.deepEqual(list.map((n) => n.type), ["reblog", "favourite", "follow"]);
  assert.ok(list.every((n) => n.account.id === benId));
  assert.equal(list[0].status.id, st.id);

  const favs = await amy.v1.notifications.list({ types: ["favourite"] });
  assert.deepEqual(favs.map((n) => n.type), ["favourite"]);
  const noFollows = await amy.v1.notifications.list({ excludeTypes: ["follow"] });
  assert.deepEqual(noFollows.map((n) => n.type), ["reblog", "favourite"]);

  const pages = [];
  for await (const page of amy.v1.notifications.list({ limit: 1 })) {
    pages.push(...page.map((n) => n.id));
    if (pages.length > 10) break;
  }
  assert.deepEqual(pages, list.map((n) => n.id));

  // The Link headers keep the filter: the paginator walks the chosen types only.
  const filtered = [];
  for await (const page of amy.v1.notifications.list({ types: ["favourite", "reblog"], limit: 1 })) {
    filtered.push(...page.map((n) => n.type));
    if (filtered.length > 10) break;
  }
  assert.deepEqual(filtered, ["reblog", "favourite"]);

  const one = await amy.v1.notifications.$select(list[1].id).fetch();
  assert.equal(one.type, "favourite");
  const unread = await amy.v1.notifications.unreadCount.fetch();
  assert.equal(unread.count, 3);

  await amy.v1.notifications.$select(list[2].id).dismiss();
  assert.equal((await amy.v1.notifications.list()).length, 2);
  await amy.v1.notifications.clear();
  assert.deepEqual(await amy.v1.notifications.list(), []);
  await ben.v1.accounts.$select(amyId).unfollow();
});

test("only the author may delete (404 for others, as in Mastodon)", async () => {
  const st = await amy.v1.statuses.create({ status: `not yours ${RUN}` });
  await expectHttpError(ben.v1.statuses.$select(st.id).remove(), 404);
  assert.equal((await ben.v1.statuses.$select(st.id).fetch()).id, st.id);
});

test("delete returns the source text", async () => {
  const text = `delete *me* ${RUN}`;
  const st = await amy.v1.statuses.create({ status: text });
  const deleted = await amy.v1.statuses.$select(st.id).remove();
  assert.equal(deleted.id, st.id);
  assert.equal(deleted.text, text);
  await expectHttpError(amy.v1.statuses.$select(st.id).fetch(), 404);
});

test("media: upload with alt text and focus, attach to a post", async () => {
  // v2.media.create uploads to /api/v2/media and polls /api/v1/media/:id
  // until the file is ready.
  const media = await amy.v2.media.create({
    file: new File([png(40, 30)], "chart.png", { type: "image/png" }),
    description: `sales chart ${RUN}`,
    focus: "0.5,-0.25",
  });
  assert.equal(media.type, "image");
  assert.equal(media.description, `sales chart ${RUN}`);
  assert.deepEqual(media.meta.focus, { x: 0.5, y: -0.25 });
  assert.equal(media.meta.original.width, 40);
  assert.equal(media.meta.original.height, 30);
  await getImage(media.url);
  await getImage(media.previewUrl);

  const st = await amy.v1.statuses.create({ status: `the numbers ${RUN}`, mediaIds: [media.id] });
  assert.deepEqual(
    st.mediaAttachments.map((a) => [a.id, a.description]),
    [[media.id, `sales chart ${RUN}`]],
  );
  const seen = await ben.v1.statuses.$select(st.id).fetch();
  assert.equal(seen.mediaAttachments[0].url, media.url);
  // A post of just a picture.
  const pic = await amy.v2.media.create({ file: new Blob([png(8, 8)], { type: "image/png" }), skipPolling: true });
  assert.ok(pic.id);
  const only = await amy.v1.statuses.create({ mediaIds: [pic.id] });
  assert.deepEqual(only.mediaAttachments.map((a) => a.id), [pic.id]);
  // Not a picture: refused.
  await expectHttpError(
    amy.v2.media.create({ file: new Blob(["meeting notes"], { type: "text/plain" }) }),
    422,
  );
});

test("edit a post: update, source and history", async () => {
  const st = await amy.v1.statuses.create({ status: `lunch at noon ${RUN}` });
  assert.equal(st.editedAt, null);
  const src = await amy.v1.statuses.$select(st.id).source.fetch();
  assert.equal(src.id, st.id);
  assert.equal(src.text, `lunch at noon ${RUN}`);

  const edited = await amy.v1.statuses.$select(st.id).update({ status: `lunch at 1pm ${RUN}`, spoilerText: "food" });
  assert.equal(edited.id, st.id);
  assert.ok(edited.editedAt, "editedAt is set");
  assert.match(edited.content, /lunch at 1pm/);
  assert.equal(edited.spoilerText, "food");
  assert.equal((await amy.v1.statuses.$select(st.id).source.fetch()).text, `lunch at 1pm ${RUN}`);
  assert.match((await ben.v1.statuses.$select(st.id).fetch()).content, /lunch at 1pm/);

  const history = await ben.v1.statuses.$select(st.id).history.list();
  assert.equal(history.length, 2);
  assert.match(history[0].content, /lunch at noon/);
  assert.match(history[1].content, /lunch at 1pm/);
  assert.deepEqual(history.map((h) => h.spoilerText), ["", "food"]);
  assert.ok(history.every((h) => h.account.id === amyId));
});

test("only the author may edit (404 for others, as in Mastodon)", async () => {
  const st = await amy.v1.statuses.create({ status: `mine to edit ${RUN}` });
  await expectHttpError(ben.v1.statuses.$select(st.id).source.fetch(), 404);
  await expectHttpError(ben.v1.statuses.$select(st.id).update({ status: `hijacked ${RUN}` }), 404);
  assert.equal((await amy.v1.statuses.$select(st.id).fetch()).editedAt, null);
});

test("search accounts, hashtags and statuses", async () => {
  const word = `pangolin${RUN}`;
  const tag = `deskmoves${RUN}`;
  const pub = await amy.v1.statuses.create({ status: `the ${word} moved desks #${tag}` });
  const priv = await amy.v1.statuses.create({ status: `${word}, followers only`, visibility: "private" });

  const accounts = await ben.v2.search.list({ q: USERS.masto_amy.username, type: "accounts" });
  assert.deepEqual(accounts.accounts.map((a) => a.id), [amyId]);
  assert.deepEqual(accounts.statuses, []);
  const tags = await ben.v2.search.list({ q: `#${tag}`, type: "hashtags" });
  assert.deepEqual(tags.hashtags.map((t) => t.name.toLowerCase()), [tag]);
  // Full text: only what each may see, newest first.
  const benSees = await ben.v2.search.list({ q: word, type: "statuses" });
  assert.deepEqual(benSees.statuses.map((s) => s.id), [pub.id]);
  const amySees = await amy.v2.search.list({ q: word, type: "statuses" });
  assert.deepEqual(amySees.statuses.map((s) => s.id), [priv.id, pub.id]);
  const byBen = await amy.v2.search.list({ q: word, type: "statuses", accountId: benId });
  assert.deepEqual(byBen.statuses, []);
  // following: only accounts one follows.
  const q = { q: USERS.masto_amy.username, type: "accounts", following: true };
  assert.deepEqual((await ben.v2.search.list(q)).accounts, []);
  await ben.v1.accounts.$select(amyId).follow();
  try {
    assert.deepEqual((await ben.v2.search.list(q)).accounts.map((a) => a.id), [amyId]);
    const all = await ben.v2.search.list({ q: word });
    assert.deepEqual(all.statuses.map((s) => s.id), [priv.id, pub.id]);
  } finally {
    await ben.v1.accounts.$select(amyId).unfollow();
  }
});

test("update credentials, then approve and reject follow requests", async () => {
  const before = await cy.v1.accounts.verifyCredentials();
  const me = await cy.v1.accounts.updateCredentials({
    displayName: `Cy from Security ${RUN}`,
    note: `Badges and locks ${RUN}`,
    locked: true,
    fieldsAttributes: [{ name: "Team", value: "Security" }],
    avatar: new Blob([png(48, 48)], { type: "image/png" }),
    source: { privacy: "private" },
  });
  assert.equal(me.displayName, `Cy from Security ${RUN}`);
  assert.equal(me.locked, true);
  assert.equal(me.source.note, `Badges and locks ${RUN}`);
  assert.equal(me.source.privacy, "private");
  assert.deepEqual(me.fields.map((f) => f.name), ["Team"]);
  assert.notEqual(me.avatar, before.avatar);
  await getImage(me.avatar);
  assert.equal((await ben.v1.accounts.$select(cyId).fetch()).displayName, `Cy from Security ${RUN}`);

  // Posts without a visibility use the new default: followers only.
  const secret = await cy.v1.statuses.create({ status: `security drill at 10 ${RUN}` });
  assert.equal(secret.visibility, "private");

  const rel = await ben.v1.accounts.$select(cyId).follow();
  assert.equal(rel.requested, true);
  assert.equal(rel.following, false);
  await amy.v1.accounts.$select(cyId).follow();
  const pending = await cy.v1.followRequests.list();
  assert.deepEqual(pending.map((a) => a.id).sort(), [amyId, benId].sort());
  await expectHttpError(ben.v1.statuses.$select(secret.id).fetch(), 404);

  const ok = await cy.v1.followRequests.$select(benId).authorize();
  assert.equal(ok.followedBy, true);
  assert.equal((await ben.v1.statuses.$select(secret.id).fetch()).id, secret.id);
  const no = await cy.v1.followRequests.$select(amyId).reject();
  assert.equal(no.followedBy, false);
  const [amyRel] = await amy.v1.accounts.relationships.fetch({ id: [cyId] });
  assert.equal(amyRel.requested, false);
  assert.equal(amyRel.following, false);
  assert.deepEqual(await cy.v1.followRequests.list(), []);
  await ben.v1.accounts.$select(cyId).unfollow();
});

test("markers and the unread count", async () => {
  await amy.v1.notifications.clear();
  const st = await amy.v1.statuses.create({ status: `mark me ${RUN}` });
  await ben.v1.statuses.$select(st.id).favourite();
  try {
    assert.equal((await amy.v1.notifications.unreadCount.fetch()).count, 1);
    const [n] = await amy.v1.notifications.list({ limit: 1 });
    const saved = await amy.v1.markers.create({ home: { lastReadId: st.id }, notifications: { lastReadId: n.id } });
    assert.equal(saved.home.lastReadId, st.id);
    assert.equal(saved.notifications.lastReadId, n.id);
    const got = await amy.v1.markers.fetch({ timeline: ["home", "notifications"] });
    assert.equal(got.home.lastReadId, st.id);
    assert.equal(got.notifications.lastReadId, n.id);
    assert.equal((await amy.v1.notifications.unreadCount.fetch()).count, 0);
  } finally {
    await ben.v1.statuses.$select(st.id).unfavourite();
  }
});

test("preferences and what apps load at login", async () => {
  const prefs = await amy.v1.preferences.fetch();
  assert.ok(["public", "unlisted", "private", "direct"].includes(prefs["posting:default:visibility"]));
  assert.equal(typeof prefs["reading:expand:spoilers"], "boolean");
  // Loggia has none of these yet: empty lists, as Mastodon answers.
  assert.deepEqual(await amy.v1.customEmojis.list(), []);
  assert.deepEqual(await amy.v2.filters.list(), []);
  assert.deepEqual(await amy.v1.lists.list(), []);
  assert.deepEqual(await amy.v1.announcements.list(), []);
  assert.deepEqual(await amy.v1.trends.tags.list(), []);
  assert.deepEqual(await amy.v1.trends.statuses.list(), []);
  assert.deepEqual(await amy.v1.followedTags.list(), []);
});
