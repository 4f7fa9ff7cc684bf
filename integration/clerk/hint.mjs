#!/usr/bin/env node
// hint.mjs — run Clerk's own reverification hint on scopegate's answers.
//
// stdin:  JSON lines {"param": <what has({ reverification }) was asked>, "ours": <scopegate's 403 body>}
// stdout: JSON lines {"clerk": reverificationError(param), "isHint": isReverificationHint(ours)}
//
// Both functions are @clerk/shared's (version pinned in package.json): what a Clerk backend answers when
// reverification is needed, and what Clerk's frontends test an answer with before opening their
// reverification flow. This script only parses input and calls them.

import { createInterface } from 'node:readline';

import { isReverificationHint, reverificationError } from '@clerk/shared/authorization-errors';

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const { param, ours } = JSON.parse(line);
  process.stdout.write(JSON.stringify({ clerk: reverificationError(param), isHint: Boolean(isReverificationHint(ours)) }) + '\n');
}
