// The security audit's mutations, re-applied one at a time: each removes or weakens one protection
// SECURITY.md claims, and the tests SECURITY.md cites for that claim must then fail. The source file
// is restored after every run (also on Ctrl-C); nothing here is ever committed in its mutated form.
//
//   npm run test:security-mutations              every mutation, after a baseline run with none
//   npm run test:security-mutations -- host-check put-key-unchecked    only these (by id)
//   npm run test:security-mutations -- --repeat 20           each mutated run 20 times: the
//                                                 property tests draw new cases every run, so a
//                                                 killer must fail in every one of them
//
// A mutation whose text is no longer found in its file is reported as stale (the code moved): update
// its `find` here rather than dropping it. See TESTING.md for the list and the last results.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** A test by file and full name: its describe titles and its own title joined by " › ". */
export interface CitedTest {
  file: string;
  name: string;
}

export interface Mutation {
  id: string;
  /** What the mutation does to the product, in the audit's words. */
  what: string;
  file: string;
  /** Text that occurs exactly once in `file`, and what it becomes. */
  find: string;
  replace: string;
  /** Tests that must fail with the mutation applied (each cited in SECURITY.md for the claim). */
  killers: CitedTest[];
}

const CALLBACK_E2E = 'test/e2e/callback.test.ts';
const CALLBACK_UNIT = 'test/unit/callback-handler.test.ts';
const FUZZ = 'test/hardening/fuzz.test.ts';
const PROPERTY = 'test/unit/policy.property.test.ts';
const BAD_INPUT = 'test/hardening/bad-input.test.ts';
const ATTACKS = 'test/e2e/attacks.test.ts';
const SIGN_UNIT = 'test/unit/sign-handler.test.ts';
const SIGN_E2E = 'test/e2e/sign.test.ts';
const POLICY = 'test/unit/policy.test.ts';
const NAMES_E2E = 'test/e2e/names-delete.test.ts';
const SEALED = 'test/unit/sts-sealed.test.ts';
const RULES_UNIT = 'test/unit/rules-limits.test.ts';
const RULES_E2E = 'test/e2e/storage-rules.test.ts';
const SETTINGS_UNIT = 'test/unit/callback-stored-settings.test.ts';

/** The audit's mutations, each with the tests SECURITY.md cites that must fail under it (TESTING.md lists them). */
export const MUTATIONS: Mutation[] = [
  {
    id: 'skip-verify',
    what: 'the callback handler skips verifyCallback',
    file: 'functions/callback/callback-route.ts',
    find: '  await verifyCallback(\n',
    replace: '  void (() => verifyCallback)(\n',
    killers: [
      { file: BAD_INPUT, name: "callback › a random signature with OSS's key URL → 403 CallbackSignatureInvalid" },
      {
        file: CALLBACK_UNIT,
        name: "a callback that is not genuine or not usable › signed with another key, for an object OSS holds, is refused with 403 CallbackSignatureInvalid; OSS is not asked and the app hears nothing",
      },
      {
        file: CALLBACK_E2E,
        name: 'with keep on violation (the default) › a callback forged with another key, for an upload OSS holds, is refused with its exact code; the key host it names is never contacted and the app hears nothing more',
      },
    ],
  },
  {
    id: 'any-signature',
    what: 'verifyCallback accepts any signature',
    file: 'shared/callback-auth/verify.ts',
    find: 'if (!candidates.some((key) => rsaVerify(',
    replace: 'if (false && !candidates.some((key) => rsaVerify(',
    killers: [
      { file: BAD_INPUT, name: "callback › a random signature with OSS's key URL → 403 CallbackSignatureInvalid" },
      {
        file: 'test/unit/callback-auth.test.ts',
        name: "forgeries are refused without any network request › a callback signed with the attacker's key, naming OSS's own key URL, fails verification without a fetch",
      },
      {
        file: CALLBACK_UNIT,
        name: "a callback that is not genuine or not usable › signed with another key, for an object OSS holds, is refused with 403 CallbackSignatureInvalid; OSS is not asked and the app hears nothing",
      },
      {
        file: CALLBACK_E2E,
        name: 'with keep on violation (the default) › a callback forged with another key, for an upload OSS holds, is refused with its exact code; the key host it names is never contacted and the app hears nothing more',
      },
    ],
  },
  {
    id: 'host-check',
    what: "the key-host check removed (any host may serve the callback's public key)",
    file: 'shared/callback-auth/key-url.ts',
    find: "if (url.hostname !== OSS_PUBLIC_KEY_HOST || url.port !== '') return undefined;",
    replace: '',
    killers: [
      {
        file: CALLBACK_UNIT,
        name: "a callback that is not genuine or not usable › signed with another key and naming a key URL off OSS's host, is refused with 400 CallbackKeyUrlNotAllowed; that host is never connected to",
      },
      {
        file: 'test/unit/callback-auth.test.ts',
        name: "forgeries are refused without any network request › a callback signed with the attacker's key, naming a key URL off OSS's host, is refused with 400 CallbackKeyUrlNotAllowed",
      },
      { file: FUZZ, name: "the callback body parser › any Authorization and x-oss-pub-key-url are refused with 400, 403 or 502, and no key is fetched from anywhere but OSS's host" },
      {
        file: CALLBACK_E2E,
        name: 'with keep on violation (the default) › a callback forged with another key, for an upload OSS holds, is refused with its exact code; the key host it names is never contacted and the app hears nothing more',
      },
    ],
  },
  {
    id: 'put-key-unchecked',
    what: "putPlan uses the client's key unchecked",
    file: 'shared/policy/keys.ts',
    find: 'const key = keyInGrant(grant, req.key);',
    replace: 'const key = req.key as string;',
    // The plan's own check, behind the grant lookup (grantsAt), which refuses another user's key first:
    // only a test of the plan itself can see it go.
    killers: [{ file: PROPERTY, name: 'no request yields a key outside the caller’s prefix, and every refusal is a PolicyError' }],
  },
  {
    id: 'slash-in-user-id',
    what: 'user ids with "/" used as they are in keys (alice/x nests under alice)',
    file: 'shared/policy/rules.ts',
    find: 'const SAFE_USER = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}$/;',
    replace: 'const SAFE_USER = /^[A-Za-z0-9_@-][A-Za-z0-9._@/-]{0,63}$/;',
    killers: [{ file: PROPERTY, name: 'the prefixes of two different user ids never nest, so neither user’s keys fall under the other’s' }],
  },
  {
    id: 'session-policy-slash',
    what: 'the session-policy resource without its trailing "/" (users/alice* reaches users/alice2/)',
    file: 'shared/policy/session-policy.ts',
    find: 'return `acs:oss:*:*:${bucket}/${pattern}`;',
    replace: "return `acs:oss:*:*:${bucket}/${pattern.replace(/\\/\\*$/, '*')}`;",
    killers: [
      { file: FUZZ, name: "the policy compiler › the session policy allows an object action exactly on keys under the caller's prefix, as RAM evaluates it" },
      { file: 'test/e2e/local-oss.test.ts', name: "what OSS refuses, refused with OSS error codes › another user's prefix (users/alice2/): AccessDenied, and their object is unchanged" },
      { file: 'test/e2e/token.test.ts', name: 'the credentials, as the local account evaluates them › upload: put, list parts and abort under the own prefix; no read, nothing elsewhere' },
    ],
  },
  {
    id: 'form-range-doubled',
    what: "the PostObject form's content-length-range doubled",
    file: 'shared/policy/post-conditions.ts',
    find: 'let [minSize, maxSize] = [rules.minSize, rules.maxSize];',
    replace: 'let [minSize, maxSize] = [rules.minSize, rules.maxSize * 2];',
    killers: [
      { file: 'test/e2e/sign.test.ts', name: 'a PostObject form › with a file of 1,025 bytes (one over the UPLOAD_MAX_SIZE of 1,024) is refused: 400 EntityTooLarge' },
      { file: FUZZ, name: "the policy compiler › a PostObject form passes the local OSS's policy checks as signed, and fails them with another user's key or another type" },
    ],
  },
  {
    id: 'event-discriminator',
    what: 'the OSS-event discriminator removed (any event with a top-level "events" array is taken for an OSS event)',
    file: 'shared/http/event.ts',
    find: 'return Array.isArray(v.events) && v.rawPath === undefined && v.requestContext === undefined;',
    replace: 'return Array.isArray(v.events);',
    killers: [
      { file: FUZZ, name: 'the OSS event parser › no HTTP trigger event, whatever its body or top-level fields, is taken for an OSS event' },
      { file: 'test/unit/callback-event.test.ts', name: 'reading an OSS trigger event › an OSS trigger event is told apart from an HTTP request whose body looks like one' },
      { file: CALLBACK_UNIT, name: 'a callback that is not genuine or not usable › an HTTP request shaped like an OSS event (in its body and at its top level) is still a callback, and unsigned is refused' },
    ],
  },
  {
    id: 'event-path-delivers-violations',
    what: 'the OSS event path delivers uploads that break the rules',
    file: 'functions/callback/oss-events.ts',
    find: "      const flagged = outcome.kind === 'violation' && outcome.action !== 'deleted';\n",
    replace:
      "      const flagged = outcome.kind === 'violation' && outcome.action !== 'deleted';\n" +
      "      if (outcome.kind === 'violation') await deliverEvent({ id: record.claim.key, bucket: record.claim.bucket, key: record.claim.key, user: outcome.user ?? '', size: record.claim.size, mimeType: '', etag: record.claim.etag, time: record.time.toISOString() }, config, config.webhook.timeoutMs, 'oss-event');\n",
    killers: [
      {
        file: CALLBACK_UNIT,
        name: 'the OSS object-created event (the at-least-once path) › for an upload that breaks the rules applies CALLBACK_ON_VIOLATION=keep and delivers nothing',
      },
      {
        file: CALLBACK_E2E,
        name: 'with keep on violation (the default) › a rules violation gives the client 203 CallbackFailed, and the object is kept and flagged',
      },
    ],
  },
  {
    id: 'callback-mac-skipped',
    what: 'the callback gives out a URL and user data without checking the MAC /sign pinned (a relayed callback is answered)',
    file: 'functions/callback/callback-route.ts',
    find: '  const owner = pinnedOwner(req, claim, now);\n',
    replace: '  const owner = userOfKey(req.config.rules.prefixTemplate, claim.key)!;\n',
    killers: [
      {
        file: CALLBACK_UNIT,
        name: 'a genuine OSS callback relayed by a client (its body written with STS credentials, or from a bucket of its own) › without a MAC is refused 403 CallbackMacMissing: no URL, no user data, OSS and STS not asked, the app hears nothing',
      },
      { file: ATTACKS, name: "with CALLBACK_ON_VIOLATION=keep (the default) › a relayed callback › without a MAC: OSS delivers it, the callback refuses it 403 CallbackMacMissing, the uploader gets 203 and no URL of bob's" },
      { file: BAD_INPUT, name: 'callback › signed, relayed without the MAC /sign pins → 403 CallbackMacMissing' },
    ],
  },
  {
    id: 'sign-with-role',
    what: "/sign signs with the function role's own credentials instead of the caller's scoped STS credentials",
    file: 'functions/sign/index.ts',
    find: '  return signingAt(bucketTarget(req.config), signingCredentials(vended.credentials), now);',
    replace: '  return signingAt(bucketTarget(req.config), own, now);',
    killers: [
      { file: SIGN_UNIT, name: "the credentials that sign › are the caller's own STS credentials, narrowed by the session policy /token would send for the same access" },
      { file: ATTACKS, name: "with CALLBACK_ON_VIOLATION=keep (the default) › a cross-user read through a symlink › its twin: a link to one's own object reads through /sign" },
    ],
  },
  {
    id: 'download-type-unpinned',
    what: '/sign GETs no longer pin response-content-type, so OSS serves whatever type it holds',
    file: 'shared/policy/url-constraints.ts',
    find: "  return { 'response-content-type': passive ? type : OPAQUE_TYPE, 'response-content-disposition': attachmentDisposition(filename) };",
    replace: "  return { 'response-content-disposition': attachmentDisposition(filename) };",
    killers: [
      { file: SIGN_E2E, name: 'an object a holder of STS credentials stored as text/html › under image.png, downloads through /sign as image/png, never as the HTML OSS holds' },
      { file: SIGN_UNIT, name: 'op "get" › pins the type the extension names whatever the rules allow (image/jpeg,image/png): OSS may hold text/html under image.png' },
    ],
  },
  {
    id: 'session-policy-public-acl',
    what: "session policies lose Scenario 10's Deny of a non-private object ACL",
    file: 'shared/policy/session-policy.ts',
    find: '  if (scope.write?.length) statements.push(PRIVATE_OBJECTS_ONLY);\n',
    replace: '',
    killers: [
      { file: POLICY, name: 'output 1: the session policy passed to AssumeRole › as RAM evaluates it, a write that asks for public-read-write is allowed: false' },
      { file: 'test/unit/deploy-ram.test.ts', name: 'the upload role › denies, in the role policy and in every upload session policy alike, a write that asks for public-read-write: allowed false' },
    ],
  },
  {
    id: 'form-acl-unpinned',
    what: 'PostObject forms no longer pin x-oss-object-acl to private',
    file: 'shared/policy/post-conditions.ts',
    find: "['eq', '$success_action_status', '200'], ['eq', '$x-oss-object-acl', FORM_OBJECT_ACL]];",
    replace: "['eq', '$success_action_status', '200']];",
    killers: [
      {
        file: POLICY,
        name: 'output 2: the PostObject policy conditions › pin the bucket, the exact key, a private ACL, the exact size, the type, every field that changes storing or serving, no file name, no overwrite and the callback',
      },
    ],
  },
  {
    id: 'form-content-type-override',
    what: 'PostObject forms no longer pin x-oss-content-type, which overrides the pinned Content-Type',
    file: 'shared/policy/post-conditions.ts',
    find: "  'x-oss-content-type',\n",
    replace: '',
    killers: [{ file: SIGN_E2E, name: 'a PostObject form › with x-oss-content-type: text/html, overriding the pinned type is refused: 403 AccessDenied' }],
  },
  {
    id: 'object-type-unchecked',
    what: 'the callback and the event path no longer refuse symlinks and appendable objects',
    file: 'functions/callback/confirm-upload.ts',
    find: '    if (!typed.ok) return violation(typed, target, claim.key, config);\n',
    replace: '',
    killers: [
      {
        file: CALLBACK_UNIT,
        name: 'the OSS object-created event (the at-least-once path) › ObjectCreated:PutSymlink leaves a Symlink object under a user prefix: a violation, kept and flagged, or deleted',
      },
      { file: ATTACKS, name: 'with CALLBACK_ON_VIOLATION=keep (the default) › objects that appear other than by an upload, on the OSS event path › an append under a user prefix is reported as a violation (ObjectTypeNotAllowed), kept and flagged' },
      { file: ATTACKS, name: "with CALLBACK_ON_VIOLATION=keep (the default) › a cross-user read through a symlink › through the callback's URL: a genuine callback naming her link, with a valid MAC for it, gets 203 and no URL (the link is ObjectTypeNotAllowed)" },
    ],
  },
  {
    id: 'stored-settings-unchecked',
    what: 'the callback and the event path no longer check how an object is served and stored (Cache-Control, Content-Encoding…, storage class, tags)',
    file: 'functions/callback/confirm-upload.ts',
    find: '  if (!settled.ok) return violation({ ...settled, user: verdict.user }, target, claim.key, config);\n',
    replace: '',
    killers: [
      { file: SETTINGS_UNIT, name: 'a genuine callback for an object stored with a setting no upload may make › Content-Encoding: gzip is answered 400 ObjectSettingNotAllowed naming it, kept and flagged, with no URL' },
      { file: SETTINGS_UNIT, name: 'the OSS object-created event for an object stored with a setting no upload may make › is a violation with CALLBACK_ON_VIOLATION=keep, and no event is delivered' },
      {
        file: ATTACKS,
        name: 'with CALLBACK_ON_VIOLATION=keep (the default) › an upload that sets how its object is served or stored › a multipart upload with STS credentials whose InitiateMultipartUpload sets Cache-Control: OSS stores it, the callback refuses it (400 ObjectSettingNotAllowed), the uploader gets 203, and it is kept and flagged',
      },
      { file: ATTACKS, name: 'with CALLBACK_ON_VIOLATION=delete › an upload that sets how its object is served or stored › a presigned PUT sent with an added, unsigned Content-Encoding: gzip: the uploader gets 203, and the object is gone (deleted by whichever path HEADs it first)' },
    ],
  },
  {
    id: 'form-filename-unpinned',
    what: 'PostObject forms no longer pin x-oss-meta-filename (to the signed name, or to "" when none is signed)',
    file: 'shared/policy/post-conditions.ts',
    find: '  conditions.push([\'eq\', `$${FILENAME_META}`, filename]);\n',
    replace: '',
    killers: [
      { file: NAMES_E2E, name: "a client cannot store another name than the one signed › a form sent with another name is refused by the local OSS's policy check (403 AccessDenied), and nothing is stored" },
      { file: NAMES_E2E, name: 'a client cannot store another name than the one signed › a form signed without a name refuses one added by the client (the policy pins it empty)' },
      { file: FUZZ, name: "the policy compiler › a PostObject form passes the local OSS's policy checks as signed, and fails them with another user's key or another type" },
    ],
  },
  {
    id: 'callback-filename-unchecked',
    what: 'the callback and the event path no longer check the stored x-oss-meta-filename against the signed name and the key',
    file: 'functions/callback/confirm-upload.ts',
    find: '  if (!named.ok) return violation({ ...named, user: verdict.user }, target, claim.key, config);\n',
    replace: '',
    killers: [
      { file: CALLBACK_UNIT, name: 'a callback for an upload signed with a file name › for an object OSS holds with no x-oss-meta-filename (the client left it out of InitiateMultipartUpload): 400 FilenameMissing, kept and flagged, no URL' },
      { file: NAMES_E2E, name: 'a client cannot store another name than the one signed › an STS multipart upload sent with another name is stored (nothing signs it) but the callback flags it FilenameMismatch: OSS answers the uploader 203, no URL' },
    ],
  },
  {
    id: 'delete-key-unchecked',
    what: '/sign signs a DELETE of the client\'s key unchecked (the caller\'s delete scope still makes OSS refuse another prefix)',
    file: 'shared/policy/url-constraints.ts',
    find: "    key: existingKey(grant, req, 'delete'),\n",
    replace: '    key: String(req.key),\n',
    // As put-key-unchecked: grantsAt refuses another user's key before the plan, so the end-to-end
    // refusals stay green; the plan's test sees its check go.
    killers: [{ file: 'test/unit/policy.test.ts', name: 'output 3: the presigned URL constraints › refuse a DELETE of another user’s key' }],
  },
  {
    id: 'aliyun_v5',
    what: 'the V4 signing key derived from the wrong prefix (aliyun_v5): every URL and form the signer makes is then refused by OSS',
    file: 'shared/signer/v4.ts',
    find: "createHmac('sha256', `aliyun_v4${secret}`)",
    replace: "createHmac('sha256', `aliyun_v5${secret}`)",
    // Killed end to end since the local OSS checks signatures with local/verify, which shares no key
    // derivation with shared/signer; before, only the vectors and the ali-oss differential saw it.
    killers: [
      { file: SIGN_E2E, name: 'a presigned PUT › with the returned headers stores the object, and OSS relays the upload callback answer' },
      { file: SIGN_E2E, name: "a presigned GET › downloads the object, served as the type its key's extension names" },
      { file: SIGN_E2E, name: 'a PostObject form › posted as multipart/form-data stores the object and OSS relays the callback answer' },
      { file: 'test/e2e/smoke.test.ts', name: 'signs in, gets credentials and a signed PUT, uploads with the callback answering, and downloads the same bytes' },
      { file: 'test/unit/signer-verified.test.ts', name: 'a V4 URL › signed for one region and then another, with the same secret on the same day, verifies in each' },
    ],
  },
  {
    id: 'cache-entries-plaintext',
    what: 'the shared credential cache writes the credential to Redis in the clear',
    file: 'shared/sts/shared-cache/sealed.ts',
    find: '    return Buffer.concat([Buffer.from([FORMAT]), iv, body, cipher.getAuthTag()]);\n',
    replace: '    return Buffer.concat([Buffer.from([FORMAT]), iv, Buffer.from(JSON.stringify(credential.value)), cipher.getAuthTag()]);\n',
    killers: [{ file: SEALED, name: 'entries in Redis › hold no part of the credential in the clear' }],
  },
  {
    id: 'cache-entry-unbound',
    what: "a shared-cache entry is no longer bound to its Redis key: one copied under another user's key opens there",
    file: 'shared/sts/shared-cache/sealed.ts',
    find: "const boundTo = (slot: Slot) => Buffer.from(slot.name, 'utf8');\n",
    replace: 'const boundTo = (slot: Slot) => Buffer.alloc(slot.name.length * 0);\n',
    killers: [{ file: SEALED, name: "entries in Redis › do not open when copied under another user's name" }],
  },
  {
    id: 'cache-names-raw-user',
    what: 'shared-cache key names carry the user id itself',
    file: 'shared/sts/shared-cache/sealed.ts',
    find: "opaque(k.names, 'user', user)",
    replace: 'user',
    killers: [{ file: SEALED, name: 'names in Redis › say nothing of the user id or the scope hash, and are the same for the same user and scope' }],
  },
  {
    id: 'rule-crosses-segments',
    what: "a rule's pattern handed to RAM as it is when a placeholder precedes a literal segment ({uid}/inbox/* as */inbox/*, whose first * crosses \"/\")",
    file: 'shared/policy/grants.ts',
    find: 'const scoped = expressible(pattern) ? pattern : instances(rule.tokens, own)[0];',
    replace: 'const scoped = pattern;',
    killers: [{ file: RULES_UNIT, name: 'placeholders are whole segments, in RAM too › a grant there is narrowed to the key\'s own segment: RAM\'s * would cross "/"' }],
  },
  {
    id: 'multipart-only-unsigned',
    what: '/sign ignores which upload paths a rule allows (forms and presigned PUTs under a multipart-only path)',
    file: 'shared/policy/limits.ts',
    find: 'if (!paths.some((p) => uploadPaths.includes(p))) {',
    replace: 'if (paths.length === 0 && uploadPaths.length === 0) {',
    killers: [
      { file: RULES_UNIT, name: 'a multipart-only path (videos/{uid}/*) › /sign makes no form there: RuleDenied naming the rule' },
      { file: RULES_UNIT, name: 'a multipart-only path (videos/{uid}/*) › /sign makes no presigned PUT there: RuleDenied naming the rule' },
      { file: RULES_E2E, name: 'videos/{uid}/*: multipart only; moderators read and delete any video › no form and no presigned PUT: RuleDenied naming the rule' },
    ],
  },
  {
    id: 'event-name-unchecked',
    what: "the callback's checks ignore how OSS says an object was made (a PutObject under a multipart-only path passes)",
    file: 'shared/policy/upload-checks.ts',
    find: 'if (way !== undefined && !limits.uploadPaths.includes(way)) {',
    replace: 'if (way !== undefined && limits.uploadPaths.length === 0) {',
    killers: [
      { file: RULES_UNIT, name: 'a multipart-only path (videos/{uid}/*) › the OSS event of an object there made by PutObject is accepted: false' },
      { file: RULES_UNIT, name: 'a multipart-only path (videos/{uid}/*) › the OSS event of an object there made by PostObject is accepted: false' },
      { file: RULES_E2E, name: 'videos/{uid}/*: multipart only; moderators read and delete any video › a PutObject there with STS credentials gets past RAM (every multipart step is PutObject) and the OSS event flags it' },
    ],
  },
  {
    id: 'batch-unbounded',
    what: "a /sign batch is no longer bounded at SIGN_BATCH_MAX_FILES: one request makes the function sign without limit",
    file: 'functions/sign/batch.ts',
    find: 'if (files.length > SIGN_BATCH_MAX_FILES) throw',
    replace: 'if (files.length > SIGN_BATCH_MAX_FILES * 1000) throw',
    killers: [
      { file: BAD_INPUT, name: 'sign › a batch of 101 files → 400 TooManyFiles' },
      { file: SIGN_UNIT, name: 'a batch of files › takes 100 files, the documented limit, and refuses 101 whole with 400 TooManyFiles before any STS call' },
    ],
  },
  {
    id: 'batch-entry-unchecked',
    what: "a /sign batch entry's refusal is dropped: the entry is answered as signed without a plan",
    file: 'functions/sign/batch.ts',
    find: "        if (!(err instanceof ApiError) || err.status >= 500) throw err;\n",
    replace: "        if (!(err instanceof ApiError) || err.status >= 500) throw err;\n        if (err.code === 'KeyOutsidePrefix') return { ok: true, plan: {} as SignResponse };\n",
    killers: [
      { file: 'test/e2e/sign-batch.test.ts', name: "a file naming another user's key is refused on its own (KeyOutsidePrefix), and that user's object is untouched" },
      { file: SIGN_UNIT, name: 'a batch of files › reports a refused file with the status, code and message the same request alone gets, and signs the rest' },
    ],
  },
  {
    id: 'stored-value-wide-trim',
    what: "a stored header value is stripped of JavaScript's whitespace, not HTTP's: Content-Encoding \\xa0identity passes as identity, \\xa0image/png as image/png",
    file: 'shared/text.ts',
    find: "return value.replace(/^[ \\t]+|[ \\t]+$/g, '');",
    replace: 'return value.trim();',
    killers: [
      { file: 'test/unit/stored-settings.test.ts', name: 'an object whose upload set how it is served or stored is ObjectSettingNotAllowed › stored with a Content-Encoding of identity after a no-break space (U+00A0 is no HTTP whitespace: an unknown coding)' },
      { file: 'test/unit/upload-verdicts.test.ts', name: 'an object that breaks its rule › stored with a no-break space before its type (no media type to a browser, which sniffs instead)' },
    ],
  },
  {
    id: 'stored-type-list',
    what: 'the type OSS reports after an upload need not be one media type: image/png, text/html passes image/*',
    file: 'shared/policy/content-type.ts',
    find: 'return MIME.test(type) && allowed.some(',
    replace: 'return allowed.some(',
    killers: [
      { file: 'test/unit/upload-verdicts.test.ts', name: 'an object that breaks its rule › stored as the list image/png, text/html under a rule allowing image/*: ContentTypeNotAllowed (browsers read a list as its last type)' },
    ],
  },
];

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages: string[];
}

interface Outcome {
  status: string;
  /** The first line of the failed expectation, so a reader sees why it failed. */
  why?: string;
}

/** The first line of a jest failure message that says what was expected. */
function firstReason(messages: string[]): string | undefined {
  const lines = messages.join('\n').replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim());
  const first = lines.find((l) => l !== '');
  const received = lines.find((l) => l.startsWith('Received:'));
  return received ? `${first} ${received}` : first;
}

/** Run the named tests; the outcome of each ('passed', 'failed', or 'not run'). */
function runTests(tests: CitedTest[]): Map<string, Outcome> {
  const out = mkdtempSync(join(tmpdir(), 'security-mutations-'));
  const files = [...new Set(tests.map((t) => t.file))];
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = tests.map((t) => escape(t.name.split(' › ').pop() as string)).join('|');
  try {
    try {
      // --forceExit: a mutant can leave a server of the tests open (a failed test skips its clean-up),
      // and jest would then wait for it after writing the report, for ever.
      execFileSync(join(ROOT, 'node_modules', '.bin', 'jest'), [...files, '--json', `--outputFile=${join(out, 'r.json')}`, '--forceExit', '-t', pattern], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'ignore'],
      });
    } catch {
      // Failing tests make jest exit 1; the JSON report says which.
    }
    const report = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as { testResults: { name: string; assertionResults: AssertionResult[] }[] };
    const outcomes = new Map<string, Outcome>();
    for (const file of report.testResults) {
      for (const a of file.assertionResults) {
        outcomes.set(`${file.name.slice(ROOT.length + 1)}\n${[...a.ancestorTitles, a.title].join(' › ')}`, { status: a.status, why: firstReason(a.failureMessages) });
      }
    }
    return new Map(tests.map((t) => [`${t.file}\n${t.name}`, outcomes.get(`${t.file}\n${t.name}`) ?? { status: 'not run' }]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

let restore: (() => void) | undefined;

function applied<T>(m: Mutation, run: () => T): T {
  const path = join(ROOT, m.file);
  const original = readFileSync(path, 'utf8');
  const count = original.split(m.find).length - 1;
  if (count !== 1) throw new Error(`stale: the text to mutate occurs ${count} times in ${m.file}`);
  restore = () => writeFileSync(path, original);
  writeFileSync(path, original.replace(m.find, () => m.replace));
  try {
    return run();
  } finally {
    restore();
    restore = undefined;
  }
}

function main(): number {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      restore?.();
      process.exit(130);
    });
  }
  const args = process.argv.slice(2);
  const at = args.indexOf('--repeat');
  const repeat = at === -1 ? 1 : Number(args.splice(at, 2)[1]);
  if (!Number.isSafeInteger(repeat) || repeat < 1) throw new Error('--repeat takes a whole number of runs, at least 1');
  const only = args;
  const chosen = only.length === 0 ? MUTATIONS : MUTATIONS.filter((m) => only.includes(m.id));
  if (chosen.length === 0) throw new Error(`no mutation named ${only.join(', ')}; known: ${MUTATIONS.map((m) => m.id).join(', ')}`);
  let failures = 0;

  const killers = chosen.flatMap((m) => m.killers);
  const baseline = runTests(killers);
  const notPassing = [...baseline].filter(([, o]) => o.status !== 'passed');
  if (notPassing.length > 0) {
    for (const [test, o] of notPassing) console.log(`baseline: ${o.status}: ${test.replace('\n', ' — ')}`);
    console.log('the cited tests must pass without a mutation; stopping');
    return 1;
  }
  console.log(`baseline: the ${baseline.size} cited tests pass with no mutation`);

  for (const m of chosen) {
    let runs: Map<string, Outcome>[];
    try {
      runs = applied(m, () => Array.from({ length: repeat }, () => runTests(m.killers)));
    } catch (err) {
      failures++;
      console.log(`✗ ${m.id}: ${(err as Error).message}`);
      continue;
    }
    const tests = [...runs[0].keys()];
    const failedIn = (test: string) => runs.filter((r) => r.get(test)?.status === 'failed').length;
    const survived = tests.filter((test) => failedIn(test) < repeat);
    if (survived.length > 0) failures++;
    console.log(`${survived.length === 0 ? '✓ killed' : '✗ SURVIVED'} ${m.id} (${m.what})`);
    for (const test of tests) {
      const o = runs[0].get(test) as Outcome;
      const tally = repeat > 1 ? ` in ${failedIn(test)} of ${repeat} runs` : '';
      console.log(`    ${failedIn(test) > 0 ? 'fails' : o.status}${tally}: ${test.replace('\n', ' — ')}`);
      if (o.why) console.log(`        ${o.why.slice(0, 160)}`);
    }
  }
  console.log(`${chosen.length - failures} of ${chosen.length} mutations killed by the tests SECURITY.md cites`);
  return failures === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main());
