// An independent ActivityPub server built on Fedify, used as a test peer for
// Loggia (see run.sh). It serves one actor, carol, and exposes a small
// control API under /_peer/ for the scenario driver.
//
//   node peer.mjs PORT
//
// It serves http://localhost:PORT (listening on 127.0.0.1 only):
//
//   /.well-known/webfinger, /users/carol (Person), /users/carol/inbox,
//   /inbox (shared inbox), /users/carol/followers, /users/carol/notes/{id}
//     -- Fedify; every inbox POST must carry a valid HTTP signature
//        (Fedify verifies it before any listener runs).
//   GET  /_peer/state   what the inbox listeners recorded (JSON)
//   POST /_peer/follow  {"handle": "alice@localhost:1234"} -- WebFinger,
//                       fetch the actor, send a signed Follow
//   POST /_peer/reply   {"inReplyTo": note id, "actor": actor id,
//                        "handle": "alice@localhost:1234", "content": "..."}
//                       -- send a signed Create(Note) to the actor's inbox
//   POST /_peer/lookup  {"url": "..."} -- fetch and parse an object with Fedify
//
// Logs (Fedify's included) go to stderr; PEER_LOG_LEVEL=debug shows why a
// signature was refused.
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { randomUUID } from "node:crypto";
import {
  Accept,
  Create,
  createFederation,
  Endpoints,
  exportJwk,
  Follow,
  generateCryptoKeyPair,
  importJwk,
  isActor,
  Mention,
  MemoryKvStore,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Undo,
} from "@fedify/fedify";
// Fedify 1.5 takes Temporal from this polyfill (pinned to the version it uses).
import { Temporal } from "@js-temporal/polyfill";
import { configure, defaultTextFormatter, getLogger } from "@logtape/logtape";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node peer.mjs PORT");
  process.exit(2);
}
const ORIGIN = `http://localhost:${port}`;
const USER = "carol";

await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { console: (record) => process.stderr.write(defaultTextFormatter(record)) },
  loggers: [
    { category: "fedify", sinks: ["console"], lowestLevel: process.env.PEER_LOG_LEVEL ?? "info" },
    { category: "peer", sinks: ["console"], lowestLevel: "debug" },
    { category: ["logtape", "meta"], sinks: ["console"], lowestLevel: "warning" },
  ],
});
const log = getLogger("peer");

// What the inbox listeners saw; served by GET /_peer/state.
const state = {
  actor: `${ORIGIN}/users/${USER}`,
  follows: [], // Follow activities we sent: {id, object}
  accepts: [], // Accept(Follow) received: {id, actor, object}
  rejects: [],
  followers: [], // actors that followed carol
  notes: [], // Create(Note) received: {activity, id, attributedTo, content, inReplyTo, to, cc}
  sent: [], // our notes: {id, inReplyTo}
  inbox: [], // every activity that passed signature verification: {type, id, actor, inbox}
  errors: [],
};

// Carol's key pairs, made at start-up and kept in memory as JWK (as an app
// would store them). As in Fedify's own examples: an RSA key for HTTP
// signatures (draft-cavage, rsa-sha256) and Linked Data signatures, and an
// Ed25519 key for Object Integrity Proofs (FEP-8b32) -- so Loggia also sees
// activities that carry `signature` and `proof`, and an actor with several
// keys in `assertionMethod`.
const jwks = [];
for (const algorithm of ["RSASSA-PKCS1-v1_5", "Ed25519"]) {
  const pair = await generateCryptoKeyPair(algorithm);
  jwks.push({ privateKey: await exportJwk(pair.privateKey), publicKey: await exportJwk(pair.publicKey) });
}
const notes = new Map(); // our notes by id, for the object dispatcher

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin: ORIGIN,
  // Loggia runs on 127.0.0.1/localhost.
  allowPrivateAddress: true,
  // No queue: sendActivity() delivers at once and throws on failure, so the
  // control API can report the remote server's answer.
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== USER) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Carol (Fedify peer)",
      summary: "A test actor served by Fedify.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      manuallyApprovesFollowers: false,
      discoverable: true,
      publicKey: keys[0].cryptographicKey, // the RSA key: #main-key
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .mapHandle((_ctx, username) => username === USER ? USER : null)
  .setKeyPairsDispatcher(async (_ctx, identifier) => {
    if (identifier !== USER) return [];
    return await Promise.all(jwks.map(async (jwk) => ({
      privateKey: await importJwk(jwk.privateKey, "private"),
      publicKey: await importJwk(jwk.publicKey, "public"),
    })));
  });

federation.setFollowersDispatcher(
  "/users/{identifier}/followers",
  (_ctx, identifier) => {
    if (identifier !== USER) return null;
    return { items: [] }; // who follows carol is not published
  },
).setCounter((_ctx, identifier) => identifier === USER ? state.followers.length : null);

federation.setObjectDispatcher(
  Note,
  "/users/{identifier}/notes/{id}",
  (ctx, { identifier, id }) => {
    if (identifier !== USER) return null;
    const note = notes.get(ctx.getObjectUri(Note, { identifier, id }).href);
    return note ?? null;
  },
);

function record(kind, ctx, activity) {
  const entry = {
    type: kind,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    inbox: ctx.recipient == null ? "shared" : `personal:${ctx.recipient}`,
  };
  state.inbox.push(entry);
  log.info("{type} {id} from {actor} via {inbox} inbox (signature verified)", entry);
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (ctx, accept) => {
    record("Accept", ctx, accept);
    const follow = await accept.getObject();
    state.accepts.push({
      id: accept.id?.href ?? null,
      actor: accept.actorId?.href ?? null,
      object: accept.objectId?.href ?? follow?.id?.href ?? null,
      objectType: follow?.constructor?.name ?? null,
    });
  })
  .on(Reject, async (ctx, reject) => {
    record("Reject", ctx, reject);
    state.rejects.push({ id: reject.id?.href ?? null, actor: reject.actorId?.href ?? null, object: reject.objectId?.href ?? null });
  })
  .on(Follow, async (ctx, follow) => {
    record("Follow", ctx, follow);
    if (follow.objectId?.href !== state.actor) return;
    const follower = await follow.getActor();
    if (follower == null || !isActor(follower)) return;
    state.followers.push(follower.id.href);
    await ctx.sendActivity({ identifier: USER }, follower, new Accept({
      id: new URL(`${ORIGIN}/users/${USER}#accepts/${randomUUID()}`),
      actor: ctx.getActorUri(USER),
      object: follow,
    }));
  })
  .on(Undo, async (ctx, undo) => {
    record("Undo", ctx, undo);
  })
  .on(Create, async (ctx, create) => {
    record("Create", ctx, create);
    const object = await create.getObject();
    if (!(object instanceof Note)) return;
    state.notes.push({
      activity: create.id?.href ?? null,
      actor: create.actorId?.href ?? null,
      id: object.id?.href ?? null,
      attributedTo: object.attributionId?.href ?? null,
      content: object.content?.toString() ?? null,
      inReplyTo: object.replyTargetId?.href ?? null,
      to: object.toIds.map((u) => u.href),
      cc: object.ccIds.map((u) => u.href),
    });
  })
  .onError((_ctx, error) => {
    log.error("inbox listener failed: {error}", { error });
    state.errors.push(String(error?.stack ?? error));
  });

// --- control API -------------------------------------------------------------

// alice@host -> actor URL, through WebFinger. Loggia runs over plain http and
// Fedify's lookupWebFinger() always uses https for acct: resources, so the
// JRD is fetched here; the actor itself is fetched and parsed by Fedify.
async function webfinger(handle) {
  const m = /^@?([^@]+)@([^@]+)$/.exec(handle);
  if (m == null) throw new Error(`not a handle: ${handle}`);
  const url = new URL(`http://${m[2]}/.well-known/webfinger`);
  url.searchParams.set("resource", `acct:${m[1]}@${m[2]}`);
  const res = await fetch(url, { headers: { Accept: "application/jrd+json" } });
  const body = await res.text();
  if (!res.ok) throw new Error(`WebFinger ${url} answered ${res.status}: ${body.slice(0, 300)}`);
  const jrd = JSON.parse(body);
  const self = (jrd.links ?? []).find((l) =>
    l.rel === "self" &&
    /^application\/(activity\+json|ld\+json)/.test(l.type ?? "")
  );
  if (self?.href == null) throw new Error(`WebFinger ${url}: no rel=self link: ${body.slice(0, 300)}`);
  return { url: url.href, contentType: res.headers.get("content-type"), subject: jrd.subject, actor: self.href };
}

async function lookupActor(ctx, actorUrl) {
  const actor = await ctx.lookupObject(actorUrl);
  if (actor == null || !isActor(actor)) throw new Error(`${actorUrl} is not an actor Fedify can read`);
  if (actor.inboxId == null) throw new Error(`${actorUrl} has no inbox`);
  return actor;
}

async function follow(ctx, { handle }) {
  const finger = await webfinger(handle);
  const target = await lookupActor(ctx, finger.actor);
  const activity = new Follow({
    id: new URL(`${ORIGIN}/users/${USER}#follows/${randomUUID()}`),
    actor: ctx.getActorUri(USER),
    object: target.id,
    to: target.id,
  });
  state.follows.push({ id: activity.id.href, object: target.id.href });
  await ctx.sendActivity({ identifier: USER }, target, activity);
  return {
    webfinger: finger,
    actor: target.id.href,
    inbox: target.inboxId.href,
    sharedInbox: target.endpoints?.sharedInbox?.href ?? null,
    follow: activity.id.href,
  };
}

async function reply(ctx, { inReplyTo, actor: actorUrl, handle, content }) {
  const target = await lookupActor(ctx, actorUrl);
  const id = randomUUID();
  const noteUri = ctx.getObjectUri(Note, { identifier: USER, id });
  const published = Temporal.Now.instant();
  const mentionName = `@${handle}`;
  const html = `<p><span class="h-card"><a href="${target.url?.href ?? target.id.href}" class="u-url mention">${mentionName.replace(/@[^@]+$/, "")}</a></span> ${escapeHtml(content)}</p>`;
  const note = new Note({
    id: noteUri,
    attribution: ctx.getActorUri(USER),
    content: html,
    replyTarget: new URL(inReplyTo),
    to: PUBLIC_COLLECTION,
    ccs: [target.id, ctx.getFollowersUri(USER)],
    tags: [new Mention({ href: target.id, name: mentionName })],
    published,
    url: noteUri,
  });
  notes.set(noteUri.href, note);
  const create = new Create({
    id: new URL(`${noteUri.href}/activity`),
    actor: ctx.getActorUri(USER),
    object: note,
    to: PUBLIC_COLLECTION,
    ccs: [target.id, ctx.getFollowersUri(USER)],
    published,
  });
  state.sent.push({ id: noteUri.href, inReplyTo });
  // To the personal inbox of the author replied to.
  await ctx.sendActivity({ identifier: USER }, target, create, { preferSharedInbox: false });
  return { note: noteUri.href, activity: create.id.href, inbox: target.inboxId.href };
}

// Dereferences a URL with Fedify's document loader and vocabulary parser.
async function lookup(ctx, { url }) {
  const object = await ctx.lookupObject(url);
  if (object == null) throw new Error(`Fedify could not fetch or parse ${url}`);
  return {
    type: object.constructor.name,
    id: object.id?.href ?? null,
    attributedTo: object.attributionId?.href ?? null,
    content: object.content?.toString() ?? null,
    to: object.toIds?.map((u) => u.href) ?? [],
    json: await object.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader }),
  };
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}

async function control(req, body) {
  const ctx = federation.createContext(new URL(ORIGIN), undefined);
  const path = new URL(req.url, ORIGIN).pathname;
  if (req.method === "GET" && path === "/_peer/state") return state;
  const args = body === "" ? {} : JSON.parse(body);
  if (req.method === "POST" && path === "/_peer/follow") return await follow(ctx, args);
  if (req.method === "POST" && path === "/_peer/reply") return await reply(ctx, args);
  if (req.method === "POST" && path === "/_peer/lookup") return await lookup(ctx, args);
  const e = new Error(`no such control endpoint: ${req.method} ${path}`);
  e.status = 404;
  throw e;
}

// --- HTTP server: node:http <-> Fetch API ------------------------------------

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const server = http.createServer(async (req, res) => {
  const started = Date.now();
  try {
    const body = await readBody(req);
    if (req.url.startsWith("/_peer/")) {
      let status = 200;
      let out;
      try {
        out = await control(req, body.toString("utf8"));
      } catch (error) {
        status = error.status ?? 500;
        out = { error: String(error?.message ?? error) };
        log.error("control {method} {url} failed: {error}", { method: req.method, url: req.url, error });
      }
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(out, null, 2));
      return;
    }
    // The URL as the client addressed it (Host header), so that Fedify checks
    // the signature's (request-target) and host against what was signed.
    const url = new URL(req.url, `http://${req.headers.host ?? `localhost:${port}`}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value != null) headers.set(name, value);
    }
    const request = new Request(url, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    const response = await federation.fetch(request, {
      contextData: undefined,
      onNotFound: () => new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain" } }),
      onNotAcceptable: () => new Response("Not acceptable\n", { status: 406, headers: { "content-type": "text/plain" } }),
    });
    const outHeaders = {};
    response.headers.forEach((v, k) => { outHeaders[k] = v; });
    res.writeHead(response.status, outHeaders);
    res.end(Buffer.from(await response.arrayBuffer()));
    log.info("{method} {url} -> {status} ({ms} ms) [{ua}]", {
      method: req.method, url: req.url, status: response.status, ms: Date.now() - started,
      ua: req.headers["user-agent"] ?? "",
    });
  } catch (error) {
    log.error("{method} {url} crashed: {error}", { method: req.method, url: req.url, error });
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("internal error\n");
  }
});

server.listen(port, "127.0.0.1", () => {
  log.info("Fedify peer listening on {origin} (actor {actor})", { origin: ORIGIN, actor: state.actor });
});
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    log.info("stopping on {sig}", { sig });
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
