// The interoperability scenario between Loggia and the Fedify peer
// (peer.mjs), run by run.sh once both servers are up:
//
//   node scenario.mjs LOGGIA_PORT PEER_PORT
//
// Environment: SCENARIO_USER_EMAIL, SCENARIO_USER_PASSWORD (alice's login),
// SCENARIO_USER (alice's username, default "alice"), SCENARIO_TIMEOUT_S
// (how long to wait for each delivery, default 30).
//
// 1. carol (Fedify) follows alice (Loggia): WebFinger, signed Follow;
//    Loggia's Accept must reach carol's inbox (and pass Fedify's check of
//    its HTTP signature).
// 2. alice posts a public status through the Mastodon API; Loggia's
//    Create(Note) must reach carol's inbox, signature checked by Fedify.
// 3. carol replies (signed Create(Note), inReplyTo alice's note, mention);
//    alice must get a mention notification and the reply must be among the
//    descendants of her status.
// Exits 0 when all of it worked, 1 with the reason otherwise.

const [loggiaPort, peerPort] = process.argv.slice(2).map(Number);
if (!loggiaPort || !peerPort) {
  console.error("usage: node scenario.mjs LOGGIA_PORT PEER_PORT");
  process.exit(2);
}
const LOGGIA = `http://localhost:${loggiaPort}`;
const PEER = `http://localhost:${peerPort}`;
const LOGGIA_HOST = `localhost:${loggiaPort}`;
const PEER_HOST = `localhost:${peerPort}`;
const USER = process.env.SCENARIO_USER ?? "alice";
const EMAIL = process.env.SCENARIO_USER_EMAIL;
const PASSWORD = process.env.SCENARIO_USER_PASSWORD;
const TIMEOUT_MS = Number(process.env.SCENARIO_TIMEOUT_S ?? 30) * 1000;
const ALICE_HANDLE = `${USER}@${LOGGIA_HOST}`;
const CAROL_ACCT = `carol@${PEER_HOST}`;
const ALICE_ACTOR = `${LOGGIA}/users/${USER}`;
const CAROL_ACTOR = `${PEER}/users/carol`;
const POST_TEXT = "Hello from Loggia";
const REPLY_TEXT = "Hello Alice, this is Carol on Fedify";

const step = (s) => console.log(`\n=== ${s}`);
const info = (s) => console.log(`    ${s}`);
class Failure extends Error {}
const fail = (message) => { throw new Failure(message); };

async function call(method, url, { body, token, form } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    payload = new URLSearchParams(form);
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload });
  } catch (e) {
    fail(`${method} ${url}: ${e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  let json;
  try { json = text === "" ? null : JSON.parse(text); } catch { json = undefined; }
  if (!res.ok) fail(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  if (json === undefined) fail(`${method} ${url} answered non-JSON: ${text.slice(0, 300)}`);
  return json;
}

async function waitFor(what, probe) {
  const deadline = Date.now() + TIMEOUT_MS;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last?.found) return last.found;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`timed out after ${TIMEOUT_MS / 1000} s waiting for ${what}${last?.why ? `: ${last.why}` : ""}`);
}

const peerState = () => call("GET", `${PEER}/_peer/state`);
const summary = [];

async function main() {
  // --- 0. the peer checks signatures ----------------------------------------
  step("both servers refuse unsigned activities (so they do verify signatures)");
  const forged = {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${ALICE_ACTOR}#forged-${Date.now()}`,
    type: "Create",
    actor: ALICE_ACTOR,
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    object: {
      id: `${ALICE_ACTOR}/statuses/forged-${Date.now()}`, type: "Note", attributedTo: ALICE_ACTOR,
      content: "forged", to: ["https://www.w3.org/ns/activitystreams#Public"],
    },
  };
  for (const inbox of [`${PEER}/inbox`, `${CAROL_ACTOR}/inbox`]) {
    const res = await fetch(inbox, {
      method: "POST", headers: { "Content-Type": "application/activity+json" }, body: JSON.stringify(forged),
    });
    await res.arrayBuffer();
    if (res.status !== 401) fail(`unsigned POST to ${inbox} answered ${res.status}, expected 401`);
    info(`unsigned POST ${inbox} -> ${res.status}`);
  }
  if ((await peerState()).notes.length) fail("the peer recorded an unsigned note");
  // And Loggia, so that its 202s below mean "signature checked".
  const unsignedFollow = {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${CAROL_ACTOR}#unsigned-${Date.now()}`, type: "Follow", actor: CAROL_ACTOR, object: ALICE_ACTOR,
  };
  const refused = await fetch(`${ALICE_ACTOR}/inbox`, {
    method: "POST", headers: { "Content-Type": "application/activity+json" }, body: JSON.stringify(unsignedFollow),
  });
  await refused.arrayBuffer();
  if (refused.status !== 401) fail(`unsigned Follow to ${ALICE_ACTOR}/inbox answered ${refused.status}, expected 401`);
  info(`unsigned POST ${ALICE_ACTOR}/inbox -> ${refused.status}`);
  summary.push("signatures: unsigned activities refused with 401 by the peer and by Loggia");

  // --- 1. follow --------------------------------------------------------------
  step(`carol@${PEER_HOST} (Fedify) follows ${ALICE_HANDLE} (Loggia)`);
  const followed = await call("POST", `${PEER}/_peer/follow`, { body: { handle: ALICE_HANDLE } });
  info(`WebFinger ${followed.webfinger.url} -> ${followed.webfinger.actor} (${followed.webfinger.contentType})`);
  info(`actor read by Fedify: inbox ${followed.inbox}, shared inbox ${followed.sharedInbox}`);
  info(`signed Follow ${followed.follow} accepted by ${followed.inbox}`);
  if (followed.actor !== ALICE_ACTOR) fail(`WebFinger gave actor ${followed.actor}, expected ${ALICE_ACTOR}`);
  if (followed.webfinger.subject !== `acct:${ALICE_HANDLE}`) {
    fail(`WebFinger subject is ${followed.webfinger.subject}, expected acct:${ALICE_HANDLE}`);
  }

  step("Loggia's Accept reaches carol's inbox (signature verified by Fedify)");
  const accept = await waitFor("Accept(Follow) in carol's inbox", async () => {
    const s = await peerState();
    const a = s.accepts.find((a) => a.object === followed.follow);
    if (a) return { found: a };
    return { why: `accepts=${JSON.stringify(s.accepts)} rejects=${JSON.stringify(s.rejects)} inbox=${JSON.stringify(s.inbox)}` };
  });
  info(`Accept ${accept.id} from ${accept.actor} of ${accept.object}`);
  if (accept.actor !== ALICE_ACTOR) fail(`Accept came from ${accept.actor}, expected ${ALICE_ACTOR}`);
  summary.push("follow: WebFinger + signed Follow -> signed Accept received");

  // --- 2. alice posts ---------------------------------------------------------
  step("alice logs in (OAuth password grant)");
  const app = await call("POST", `${LOGGIA}/api/v1/apps`, {
    form: { client_name: "fedify-peer-test", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow" },
  });
  const tokenResponse = await call("POST", `${LOGGIA}/oauth/token`, {
    form: {
      grant_type: "password", username: EMAIL, password: PASSWORD,
      client_id: app.client_id, client_secret: app.client_secret, scope: "read write follow",
    },
  });
  const token = tokenResponse.access_token ?? fail(`no access_token in ${JSON.stringify(tokenResponse)}`);
  const me = await call("GET", `${LOGGIA}/api/v1/accounts/verify_credentials`, { token });
  info(`logged in as ${me.acct} (id ${me.id})`);

  const carolSeen = await waitFor(`alice's followers to list ${CAROL_ACCT}`, async () => {
    const followers = await call("GET", `${LOGGIA}/api/v1/accounts/${me.id}/followers`, { token });
    const c = followers.find((a) => a.acct === CAROL_ACCT);
    return c ? { found: c } : { why: `followers: ${JSON.stringify(followers.map((a) => a.acct))}` };
  });
  info(`Loggia lists ${carolSeen.acct} (${carolSeen.url}) among alice's followers`);

  step(`alice posts "${POST_TEXT}"`);
  const status = await call("POST", `${LOGGIA}/api/v1/statuses`, {
    token, form: { status: POST_TEXT, visibility: "public" },
  });
  info(`status ${status.id}, uri ${status.uri}`);

  step("Loggia delivers Create(Note) to carol (signature verified by Fedify)");
  const note = await waitFor(`Create(Note) ${status.uri} in carol's inbox`, async () => {
    const s = await peerState();
    const n = s.notes.find((n) => n.id === status.uri);
    if (n) return { found: n };
    return { why: `notes=${JSON.stringify(s.notes)} inbox=${JSON.stringify(s.inbox)} errors=${JSON.stringify(s.errors)}` };
  });
  const via = (await peerState()).inbox.find((e) => e.type === "Create" && e.id === note.activity)?.inbox;
  info(`Create ${note.activity} via ${via} inbox: note ${note.id}`);
  info(`content: ${note.content}`);
  if (note.actor !== ALICE_ACTOR || note.attributedTo !== ALICE_ACTOR) {
    fail(`note's actor/attributedTo are ${note.actor}/${note.attributedTo}, expected ${ALICE_ACTOR}`);
  }
  if (!note.content?.includes(POST_TEXT)) fail(`note content lacks "${POST_TEXT}": ${note.content}`);
  if (!note.to.includes("https://www.w3.org/ns/activitystreams#Public")) {
    fail(`public note not addressed to as:Public: to=${JSON.stringify(note.to)}`);
  }
  summary.push(`post: Create(Note) delivered to carol's ${via} inbox, content and addressing checked`);

  step("Fedify dereferences alice's note from Loggia");
  const fetched = await call("POST", `${PEER}/_peer/lookup`, { body: { url: status.uri } });
  info(`${fetched.type} ${fetched.id} attributedTo ${fetched.attributedTo}: ${fetched.content}`);
  if (fetched.type !== "Note" || fetched.id !== status.uri || fetched.attributedTo !== ALICE_ACTOR) {
    fail(`Fedify read ${status.uri} as ${JSON.stringify(fetched.json)}`);
  }
  if (fetched.content !== note.content) fail(`fetched content ${fetched.content} differs from delivered ${note.content}`);
  summary.push("fetch: Fedify reads alice's note by its id, same as delivered");

  // --- 3. carol replies -------------------------------------------------------
  step("carol replies (signed Create(Note), inReplyTo alice's note, Mention)");
  const replied = await call("POST", `${PEER}/_peer/reply`, {
    body: { inReplyTo: status.uri, actor: ALICE_ACTOR, handle: ALICE_HANDLE, content: REPLY_TEXT },
  });
  info(`note ${replied.note} accepted by ${replied.inbox}`);

  step("alice gets a mention notification from carol");
  const notification = await waitFor(`a mention notification from ${CAROL_ACCT}`, async () => {
    const list = await call("GET", `${LOGGIA}/api/v1/notifications`, { token });
    const n = list.find((n) => n.type === "mention" && n.account?.acct === CAROL_ACCT);
    return n ? { found: n } : { why: `notifications: ${JSON.stringify(list.map((n) => [n.type, n.account?.acct]))}` };
  });
  info(`notification ${notification.id}: ${notification.type} from ${notification.account.acct}, status ${notification.status?.id}`);
  if (notification.status?.uri !== replied.note) {
    fail(`the mention's status is ${notification.status?.uri}, expected ${replied.note}`);
  }
  if (notification.status?.in_reply_to_id !== status.id) {
    fail(`the mention's status replies to ${notification.status?.in_reply_to_id}, expected ${status.id}`);
  }
  if (!notification.status?.content?.includes(REPLY_TEXT)) {
    fail(`the mention's content lacks the reply text: ${notification.status?.content}`);
  }
  if (notification.status.visibility !== "public") {
    fail(`carol's reply (to Public, cc alice) has visibility ${notification.status.visibility}, expected public`);
  }
  if (!notification.status.mentions?.some((m) => m.acct === USER)) {
    fail(`carol's reply does not list alice among its mentions: ${JSON.stringify(notification.status.mentions)}`);
  }
  if (notification.account.display_name !== "Carol (Fedify peer)" || notification.account.url !== CAROL_ACTOR) {
    fail(`carol's account reads ${JSON.stringify({ display_name: notification.account.display_name, url: notification.account.url })}`);
  }
  summary.push("reply: mention notification, public, in_reply_to_id = alice's status, mentions alice");

  step("the reply is among the descendants of alice's status");
  const context = await call("GET", `${LOGGIA}/api/v1/statuses/${status.id}/context`, { token });
  const descendant = context.descendants.find((s) => s.uri === replied.note);
  if (!descendant) {
    fail(`descendants of ${status.id}: ${JSON.stringify(context.descendants.map((s) => s.uri))}, expected ${replied.note}`);
  }
  info(`descendant ${descendant.id} by ${descendant.account.acct}: ${descendant.content}`);
  if (descendant.account.acct !== CAROL_ACCT) fail(`descendant's author is ${descendant.account.acct}`);
  summary.push("context: carol's reply listed among the descendants");

  const s = await peerState();
  if (s.errors.length) fail(`the peer's inbox listeners failed: ${s.errors.join("\n")}`);
  step("Summary");
  for (const line of summary) info(`ok  ${line}`);
  info(`activities verified and received by the Fedify peer: ${s.inbox.map((e) => `${e.type} (${e.inbox})`).join(", ")}`);
}

// The summary line follows the shape scripts/test.sh adds up.
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
try {
  await main();
  console.log(`\n${summary.length} passed, 0 failed in ${seconds()}s`);
} catch (e) {
  if (!(e instanceof Failure)) console.error(e);
  console.log(`\nFAILED: ${e.message}`);
  console.log(`${summary.length} passed, 1 failed in ${seconds()}s`);
  process.exit(1);
}
