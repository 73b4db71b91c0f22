// A real OpenID provider for the SSO tests: panva's oidc-provider (OpenID certified), on a free
// loopback port, with one confidential client and the accounts the tests pass in.
//
//   node tests/auth/oidc_provider.mjs '{"client_id": ..., "client_secret": ..., "redirect_uri": ...,
//                                       "accounts": {"login": {"email": ..., "email_verified": true}}}'
//
// Prints one line of JSON ({"issuer": "http://127.0.0.1:<port>"}) once it is listening, then serves
// until it is killed. Its own login and consent pages (devInteractions) accept any password: the
// tests drive them as a person would, choosing which account signs in.
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
const accounts = settings.accounts;

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: settings.client_id,
        client_secret: settings.client_secret,
        redirect_uris: [settings.redirect_uri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // PKCE for every client, not only public ones: the service must send it.
    pkce: { required: () => true },
    cookies: { keys: ['oidc-provider test cookie key, not a secret'] },
    async findAccount(ctx, sub) {
      if (!Object.hasOwn(accounts, sub)) {
        return undefined;
      }
      return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
