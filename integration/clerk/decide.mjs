#!/usr/bin/env node
// decide.mjs — run Clerk's own JavaScript code on session token claims.
//
// stdin:  JSON lines  {"claims": {...}, "checks": [{...}, ...], "options": {...}, "name": "..."}
// stdout: JSON lines  {"name"?, "auth": {...}|null, "undefinedKeys": [...], "has": [bool|{"throws":msg}, ...]|null,
//                      "signedIn": bool|null, "throws"?: msg}
//
// Every decision is taken by @clerk/backend / @clerk/shared (versions pinned in package.json);
// this script only parses input, calls Clerk's exported functions and prints what they return.
// See README.md for the format, the options and the stubs.

import { createInterface } from 'node:readline';

import {
  getAuthObjectForAcceptedToken,
  getAuthObjectFromJwt,
  makeAuthObjectSerializable,
  signedOutAuthObject,
} from '@clerk/backend/internal';

// Stubs. signedInAuthObject (called by getAuthObjectFromJwt) wants the raw token string and an
// AuthenticateContext, used only by getToken() (returns the raw token, or calls the Backend API for
// a template token) and debug(). The harness calls neither; the values below are inert: the API
// URL is the discard port on loopback so nothing could ever reach Clerk.
const DUMMY_TOKEN = 'scopegate.harness.dummy-token';
const DUMMY_CONTEXT = Object.freeze({
  secretKey: 'sk_test_scopegate_harness_dummy',
  apiUrl: 'http://127.0.0.1:9',
  apiVersion: 'v1',
});

const TOP_LEVEL_KEYS = new Set(['claims', 'checks', 'options', 'name']);
const OPTION_KEYS = new Set(['treatPendingAsSignedOut', 'acceptsToken', 'signedOut']);

class InputError extends Error {}

const isPlainObject = v => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseLine(text) {
  let input;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not JSON: ${e.message}`);
  }
  if (!isPlainObject(input)) throw new InputError('a line must be a JSON object');
  for (const k of Object.keys(input)) {
    if (!TOP_LEVEL_KEYS.has(k)) throw new InputError(`unknown key ${JSON.stringify(k)}`);
  }
  const options = input.options ?? {};
  if (!isPlainObject(options)) throw new InputError('"options" must be an object');
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new InputError(`unknown option ${JSON.stringify(k)}`);
  }
  if ('treatPendingAsSignedOut' in options && typeof options.treatPendingAsSignedOut !== 'boolean') {
    throw new InputError('"options.treatPendingAsSignedOut" must be a boolean');
  }
  if ('signedOut' in options && typeof options.signedOut !== 'boolean') {
    throw new InputError('"options.signedOut" must be a boolean');
  }
  if ('acceptsToken' in options) {
    const a = options.acceptsToken;
    const ok = typeof a === 'string' || (Array.isArray(a) && a.every(t => typeof t === 'string'));
    if (!ok) throw new InputError('"options.acceptsToken" must be a string or an array of strings');
  }
  if (!options.signedOut && !isPlainObject(input.claims)) {
    throw new InputError('"claims" must be an object (the session token payload)');
  }
  const checks = input.checks ?? [];
  if (!Array.isArray(checks)) throw new InputError('"checks" must be an array');
  checks.forEach((c, i) => {
    // has() dereferences its argument; a non-object would only test a TypeError, not Clerk's rules.
    if (!isPlainObject(c)) throw new InputError(`"checks[${i}]" must be an object of has() params`);
  });
  if ('name' in input && typeof input.name !== 'string') throw new InputError('"name" must be a string');
  return { name: input.name, claims: input.claims, checks, options };
}

function decide({ name, claims, checks, options }) {
  const out = name === undefined ? {} : { name };
  let authObject;
  try {
    if (options.signedOut) {
      // What a request with no (or an invalid) session token gets.
      authObject = signedOutAuthObject();
    } else {
      // Same path as Express getAuth(req, opts): requestState.toAuth(opts), whose pending rule is the one in
      // getAuthObjectFromJwt, then getAuthObjectForAcceptedToken({ authObject, acceptsToken }).
      const jwt = { header: {}, payload: claims, signature: new Uint8Array(), raw: { text: DUMMY_TOKEN } };
      const pendingOpt = 'treatPendingAsSignedOut' in options ? { treatPendingAsSignedOut: options.treatPendingAsSignedOut } : {};
      authObject = getAuthObjectFromJwt(jwt, { ...DUMMY_CONTEXT, ...pendingOpt });
    }
    authObject = getAuthObjectForAcceptedToken({ authObject, acceptsToken: options.acceptsToken });
  } catch (e) {
    // Clerk itself throws (e.g. a v2 `fea` element without a colon while `o` is present).
    return { ...out, auth: null, undefinedKeys: [], has: null, signedIn: null, throws: String(e?.message ?? e) };
  }

  const serializable = makeAuthObjectSerializable(authObject);
  out.auth = serializable;
  // JSON drops keys whose value is undefined (e.g. `actor` without `act`, `orgId` for v2 without `o`);
  // list them so the Go side can tell undefined from null if it cares.
  out.undefinedKeys = Object.keys(serializable).filter(k => serializable[k] === undefined).sort();
  out.has = checks.map(params => {
    try {
      return authObject.has(params) === true;
    } catch (e) {
      return { throws: String(e?.message ?? e) };
    }
  });
  out.signedIn = authObject.isAuthenticated === true;
  return out;
}

async function main() {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    let parsed;
    try {
      parsed = parseLine(line);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      process.stderr.write(`decide.mjs: line ${lineNo}: malformed input: ${e.message}\n`);
      process.exitCode = 2;
      rl.close();
      process.stdin.destroy();
      return;
    }
    process.stdout.write(JSON.stringify(decide(parsed)) + '\n');
  }
}

main().catch(e => {
  process.stderr.write(`decide.mjs: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
