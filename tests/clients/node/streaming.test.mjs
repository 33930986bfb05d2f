// The streaming API with masto's WebSocket client (as Elk and Phanpy use
// it), at the URL the instance advertises. Run through ../run.sh.
//
// Users: masto_sam follows masto_tia; masto_uma is a bystander.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createRestAPIClient, createStreamingAPIClient } from "masto";

const BASE_URL = process.env.CLIENTS_BASE_URL;
const USERS = JSON.parse(process.env.CLIENTS_USERS ?? "null");
if (!BASE_URL || !USERS) {
  throw new Error("CLIENTS_BASE_URL / CLIENTS_USERS not set: run through tests/clients/run.sh");
}
const RUN = randomUUID().slice(0, 8);
const SCOPES = "read write follow";

async function login(app, key) {
  const u = USERS[key];
  const res = await fetch(BASE_URL + "/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      grant_type: "password",
      client_id: app.client_id,
      client_secret: app.client_secret,
      username: u.email,
      password: u.password,
      scope: SCOPES,
    }),
  });
  assert.equal(res.status, 200);
  const token = (await res.json()).access_token;
  return { token, rest: createRestAPIClient({ url: BASE_URL, accessToken: token }) };
}

// Collects a subscription's events in the background, so that a test can
// wait for one that matches without losing the others.
class Inbox {
  constructor(subscription) {
    this.events = [];
    this.waiters = [];
    this.done = (async () => {
      try {
        for await (const event of subscription) {
          this.events.push(event);
          for (const w of [...this.waiters]) w.check();
        }
      } catch (error) {
        this.error = error;
        for (const w of [...this.waiters]) w.check();
      }
    })();
  }

  // The first event (after the ones already taken) that matches.
  waitFor(predicate, what, ms = 15000) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const i = this.events.findIndex(predicate);
          if (i >= 0) {
            const [event] = this.events.splice(i, 1);
            this.waiters = this.waiters.filter((w) => w !== waiter);
            clearTimeout(timer);
            resolve(event);
          } else if (this.error) {
            clearTimeout(timer);
            reject(this.error);
          }
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.events.map((e) => e.event))}`));
      }, ms);
      this.waiters.push(waiter);
      waiter.check();
    });
  }

  // Everything received so far, emptied.
  drain() {
    return this.events.splice(0);
  }
}

let sam, tia, uma, samStream, tiaId;

before(async () => {
  const res = await fetch(BASE_URL + "/api/v1/apps", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: `Loggia streaming tests (masto) ${RUN}`,
      redirect_uris: "urn:ietf:wg:oauth:2.0:oob",
      scopes: SCOPES,
    }),
  });
  const app = await res.json();
  sam = await login(app, "masto_sam");
  tia = await login(app, "masto_tia");
  uma = await login(app, "masto_uma");
  tiaId = (await tia.rest.v1.accounts.verifyCredentials()).id;
  await sam.rest.v1.accounts.$select(tiaId).follow();

  const instance = await sam.rest.v2.instance.fetch();
  assert.match(instance.configuration.urls.streaming, /^wss?:\/\//);
  samStream = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: sam.token,
    retry: false,
  });
});

after(() => samStream?.close());

// A subscription is live once a post of the subscriber's own arrives on it
// (the subscribe message travels after the connection opens).
async function live(inbox, post) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const status = await post(`warm-up ${RUN} ${attempt}`);
    try {
      await inbox.waitFor((e) => e.payload?.id === status.id, "warm-up", 1000);
      inbox.drain();
      return;
    } catch {
      // not yet subscribed: try again
    }
  }
  throw new Error("the subscription never became live");
}

test("user stream: home updates, notifications, edits and deletes; nothing else", async () => {
  const inbox = new Inbox(samStream.user.subscribe());
  await live(inbox, (text) => sam.rest.v1.statuses.create({ status: text, visibility: "private" }));

  // Not for Sam: a stranger's post, and a direct message between others.
  await uma.rest.v1.statuses.create({ status: `stranger ${RUN}`, visibility: "public" });
  await tia.rest.v1.statuses.create({
    status: `@${USERS.masto_uma.username} just us ${RUN}`,
    visibility: "direct",
  });
  const post = await tia.rest.v1.statuses.create({ status: `for followers ${RUN}`, visibility: "private" });
  const update = await inbox.waitFor((e) => e.event === "update", "update");
  assert.equal(update.payload.id, post.id, "the first update is Tia's followers-only post");
  assert.equal(update.payload.account.id, tiaId);
  assert.deepEqual(update.stream, ["user"]);

  await tia.rest.v1.statuses.create({ status: `@${USERS.masto_sam.username} hello ${RUN}`, visibility: "public" });
  const notification = await inbox.waitFor((e) => e.event === "notification", "notification");
  assert.equal(notification.payload.type, "mention");
  assert.equal(notification.payload.account.id, tiaId);

  await tia.rest.v1.statuses.$select(post.id).update({ status: `for followers, edited ${RUN}` });
  const edited = await inbox.waitFor((e) => e.event === "status.update", "status.update");
  assert.equal(edited.payload.id, post.id);
  assert.match(edited.payload.content, /edited/);

  await tia.rest.v1.statuses.$select(post.id).remove();
  const deleted = await inbox.waitFor((e) => e.event === "delete", "delete");
  assert.equal(deleted.payload, post.id);
  const leaked = inbox.drain().filter((e) => e.event === "update" && e.payload.id !== post.id
    && e.payload.account.id !== tiaId);
  assert.deepEqual(leaked, [], "no update from accounts Sam does not follow");
});

test("hashtag and local streams on one connection", async () => {
  const tag = `stream${RUN}`;
  const tagged = new Inbox(samStream.hashtag.subscribe({ tag }));
  const local = new Inbox(samStream.public.local.subscribe());
  await live(local, (text) => sam.rest.v1.statuses.create({ status: text, visibility: "public" }));
  await live(tagged, (text) => sam.rest.v1.statuses.create({ status: `${text} #${tag}`, visibility: "public" }));

  await uma.rest.v1.statuses.create({ status: `unlisted #${tag}`, visibility: "unlisted" });
  const post = await uma.rest.v1.statuses.create({ status: `public #${tag}`, visibility: "public" });
  const onTag = await tagged.waitFor((e) => e.event === "update", "hashtag update");
  assert.equal(onTag.payload.id, post.id, "the unlisted post is not on the hashtag stream");
  assert.deepEqual(onTag.stream, ["hashtag", tag]);
  const onLocal = await local.waitFor((e) => e.event === "update" && e.payload.id === post.id, "local update");
  assert.deepEqual(onLocal.stream, ["public:local"]);
});
