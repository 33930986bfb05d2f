// A session with the `masto` client library (as used by Elk and other web
// apps) against a running Loggia. Run through ../run.sh, which starts the
// server and sets CLIENTS_BASE_URL and CLIENTS_USERS.
//
// Users: masto_amy posts; masto_ben follows her and interacts.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
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

let amy, ben, amyId, benId;

before(async () => {
  app = await formPost("/api/v1/apps", {
    client_name: `Loggia client tests (masto) ${RUN}`,
    redirect_uris: "urn:ietf:wg:oauth:2.0:oob",
    scopes: SCOPES,
  });
  amy = (await login("masto_amy")).masto;
  ben = (await login("masto_ben")).masto;
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
