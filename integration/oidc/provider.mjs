// An OpenID provider (oidc-provider) on loopback for scopegate's
// integration test: the client credentials grant with resource indicators,
// JWT access tokens for https://api.example.com signed with RS256, opaque
// access tokens for https://opaque-api.example.com, and an RFC 7662
// introspection endpoint (/token/introspection) for those.
//
// Usage:
//   node provider.mjs --keys FILE [--port N] [--rotate] [--watch-stdin]
//
//   --keys FILE     private JWKS of the provider, created with one RSA key
//                   when missing, rewritten by --rotate
//   --port N        port on 127.0.0.1 (default: $PORT, else 0 for a free one);
//                   the issuer is http://127.0.0.1:N
//   --rotate        generate a new RSA key, sign with it from now on and keep
//                   publishing the previous one second in the JWKS
//   --watch-stdin   exit when standard input closes (the parent is gone)
//
// Prints "ready http://127.0.0.1:N" on stdout once listening; exits on
// SIGTERM or SIGINT.
//
// Clients (the client credentials grant, or none):
//   reader    / reader-secret    client_secret_basic, may get read:messages
//   no-scope  / no-scope-secret  client_secret_post, may get no API scope
//   api       / api-secret       client_secret_basic, no grant: the API's
//                                own client, which introspects the opaque
//                                tokens issued for it
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { Provider, errors } from 'oidc-provider';

const API = 'https://api.example.com';
const OPAQUE_API = 'https://opaque-api.example.com';
const API_SCOPES = ['read:messages'];

// The format of the access tokens issued for each resource indicator.
const accessTokenFormats = new Map([
  [API, 'jwt'],
  [OPAQUE_API, 'opaque'],
]);

// The resource servers' own clients, with the audiences whose tokens each
// may introspect: the introspection endpoint answers "active" only to them.
const introspectors = new Map([
  ['api', [OPAQUE_API]],
]);

// What each client may be granted at the API; getResourceServerInfo narrows
// the API's scopes to this list, so a client asking for more gets less.
const allowedScopes = new Map([
  ['reader', ['read:messages']],
  ['no-scope', []],
]);

const clients = [
  {
    client_id: 'reader',
    client_secret: 'reader-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'no-scope',
    client_secret: 'no-scope-secret',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'api',
    client_secret: 'api-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  },
];

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string' },
    port: { type: 'string', default: process.env.PORT || '0' },
    rotate: { type: 'boolean', default: false },
    'watch-stdin': { type: 'boolean', default: false },
  },
  strict: true,
});

if (!args.keys) {
  console.error('provider.mjs: --keys FILE is required (a private JWKS; created when missing)');
  process.exit(2);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`provider.mjs: --port ${args.port} is not a port number`);
  process.exit(2);
}

// newSigningKey generates a 2048-bit RSA key as a private JWK whose kid is
// its RFC 7638 thumbprint.
function newSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const thumbprint = crypto
    .createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
    .digest('base64url');
  return { ...jwk, kid: thumbprint, use: 'sig', alg: 'RS256' };
}

// loadKeys reads the key file, creating or rotating it as asked. The first
// key signs; the others are published for tokens they signed earlier.
function loadKeys(file, rotate) {
  let keys = [];
  if (fs.existsSync(file)) {
    ({ keys } = JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  if (keys.length === 0) {
    keys = [newSigningKey()];
  } else if (rotate) {
    keys = [newSigningKey(), keys[0]];
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
  return keys;
}

const keys = loadKeys(args.keys, args.rotate);

// The issuer contains the port, so listen first (port 0 picks a free one)
// and build the provider for the address actually bound.
const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only a resource server's own client learns about a token, and
        // only about one issued for an audience it serves; anyone else
        // (the token's own client included) is told {"active": false}.
        allowedPolicy(ctx, client, token) {
          const audiences = introspectors.get(client.clientId) ?? [];
          const aud = [token.aud ?? []].flat();
          return aud.some((a) => audiences.includes(a));
        },
      },
      resourceIndicators: {
        enabled: true,
        // A token request without a resource gets an opaque token, none for
        // either API (the default defaultResource picks no resource): it
        // has no audience, so no API accepts it, introspected or not.
        getResourceServerInfo(ctx, resourceIndicator, client) {
          const format = accessTokenFormats.get(resourceIndicator);
          if (format === undefined) {
            throw new errors.InvalidTarget();
          }
          const allowed = allowedScopes.get(client.clientId) ?? [];
          return {
            scope: API_SCOPES.filter((s) => allowed.includes(s)).join(' '),
            audience: resourceIndicator,
            accessTokenFormat: format,
            accessTokenTTL: 600,
            ...(format === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
          };
        },
      },
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`ready ${issuer}\n`);
});
server.on('error', (err) => {
  console.error(`provider.mjs: ${err.message}`);
  process.exit(1);
});

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (args['watch-stdin']) {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}
