// A real OpenID provider (panva's oidc-provider, certified) on loopback, for kubewallet's tests.
//
// Usage: node provider.mjs PORT_FILE
// Listens on 127.0.0.1 on a free port, writes "PORT\n" to PORT_FILE once it accepts connections,
// and runs until SIGTERM. The issuer is http://127.0.0.1:PORT (loopback http is allowed by
// kubewallet, like kubelogin; any other http issuer is refused).
//
// Clients (all public but the confidential ones, PKCE S256 required). Each registers ONLY the redirect URLs kubelogin's
// setup guide tells people to register (http://localhost:8000 and http://localhost:18000), so
// the tests prove a kubelogin kubeconfig works by changing only its `command`. They are RFC 8252
// native clients, so the provider also accepts http://localhost on another port (§7.3: loopback
// redirects match whatever the port): that is what `--listen-address=127.0.0.1:0` relies on.
//   kubewallet        id_token TTL 3600 s
//   kubewallet-short  id_token TTL from OIDC_SHORT_IDTOKEN_TTL (seconds, default 3): refresh tests
//   other-app         a different audience: its tokens must be refused by kubewallet's client
//   kubewallet-steady refresh tokens are not rotated (like many providers): the vault write rule
//   kubewallet-confidential  a confidential client (client_secret_basic), its secret from
//                     OIDC_CONFIDENTIAL_SECRET (made up per test session, never in the repository)
//
// devInteractions gives a login form that accepts any login name and password; loadExistingGrant
// grants every scope at once and the native-client consent check is dropped, so no consent
// page follows. The test-only route GET /_stats returns
// how many requests each endpoint served (token, device_authorization, authorization,
// revocation): the concurrency tests count logins and refreshes there, on the provider itself.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import Provider, { interactionPolicy } from 'oidc-provider';

const portFile = process.argv[2];
const shortTtl = Number(process.env.OIDC_SHORT_IDTOKEN_TTL || 3);

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };

const native = (clientId) => ({
  client_id: clientId,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost:8000', 'http://localhost:18000'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
});

const stats = {};

// RFC 8252 native clients get a consent page on every login by default ('native_client_prompt'):
// the grant below already covers every scope, so drop that check and no consent page follows.
const policy = interactionPolicy.base();
policy.get('consent').checks.remove('native_client_prompt');

const makeProvider = (at, clients) => new Provider(at, {
  clients,
  jwks: { keys: [jwk] },
  interactions: { policy },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
  },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  // Put the scope claims into the id_token itself (what Kubernetes reads), not only /userinfo.
  conformIdTokenClaims: false,
  ttl: {
    IdToken: (ctx, token, client) => (client.clientId === 'kubewallet-short' ? shortTtl : 3600),
    AccessToken: 3600,
    RefreshToken: 86400,
    DeviceCode: 600,
    Interaction: 600,
    Session: 86400,
    Grant: 86400,
  },
  // Every client that may refresh gets a refresh token, without the consent dance that
  // offline_access needs (kubelogin asks only for openid and the extra scopes).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: (ctx) => ctx.oidc.client.clientId !== 'kubewallet-steady',
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid offline_access email profile groups');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name', 'groups']);
    await grant.save();
    return grant;
  },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    async claims() {
      return {
        sub,
        email: `${sub}@example.test`,
        email_verified: true,
        name: sub,
        groups: ['developers', `team-${sub}`],
      };
    },
  }),
});

const provider = makeProvider(issuer, [native('kubewallet'), native('kubewallet-short'), native('other-app'),
    native('kubewallet-steady'),
    ...(process.env.OIDC_CONFIDENTIAL_SECRET ? [{
      ...native('kubewallet-confidential'),
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret: process.env.OIDC_CONFIDENTIAL_SECRET,
    }] : [])]);
provider.proxy = false;

provider.use(async (ctx, next) => {
  if (ctx.path === '/_stats') {
    ctx.body = stats;
    return;
  }
  await next();
  const route = ctx.oidc?.route;
  if (route) stats[route] = (stats[route] || 0) + 1;
});

// Two "realms" on the same host and port, as Keycloak serves them (issuer
// http://127.0.0.1:PORT/realms/a and /realms/b), each with a confidential client of the same
// id and its own secret (OIDC_REALM_A_SECRET, OIDC_REALM_B_SECRET): a client-secret reference
// that ignored the issuer's path would mix them up.
const realms = {};
for (const name of ['a', 'b']) {
  const secret = process.env[`OIDC_REALM_${name.toUpperCase()}_SECRET`];
  if (!secret) continue;
  const realm = makeProvider(`${issuer}/realms/${name}`, [{
    ...native('kubewallet-confidential'),
    token_endpoint_auth_method: 'client_secret_basic',
    client_secret: secret,
  }]);
  realm.proxy = false;
  realms[`/realms/${name}`] = realm.callback();
}
const root = provider.callback();
server.on('request', (req, res) => {
  const prefix = Object.keys(realms).find((p) => req.url === p || req.url.startsWith(`${p}/`)
    || req.url.startsWith(`${p}?`));
  if (!prefix) return root(req, res);
  req.originalUrl = req.url;          // what oidc-provider reads to know where it is mounted
  req.url = req.url.slice(prefix.length) || '/';
  return realms[prefix](req, res);
});
fs.writeFileSync(portFile, `${port}\n`);
process.stderr.write(`oidc-provider listening on ${issuer}\n`);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
