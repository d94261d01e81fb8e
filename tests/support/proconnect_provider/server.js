// A local OpenID Connect provider configured like ProConnect, for Clauses' end-to-end tests
// and the demo. It is panva's oidc-provider (OpenID Certified), with ProConnect's scopes and
// claims, `acr` eidas1, `amr` from the login, and a userinfo answered as a signed JWT.
//
//   node server.js            (settings from the environment, see below)
//
// PORT (default 9400), ISSUER (default http://127.0.0.1:PORT), CLIENT_ID,
// CLIENT_SECRET (defaults clauses-demo / clauses-demo-secret), REDIRECT_URIS and
// POST_LOGOUT_REDIRECT_URIS (comma-separated; defaults: the demo on 127.0.0.1:8000),
// OTHER_CLIENT_ID and OTHER_CLIENT_SECRET (optional: another relying party with the same
// redirect URIs, whose tokens the tests present to Clauses: wrong audience), IDENTITIES
// (JSON: {"agent@example.fr": {"given_name": ..., "usual_name": ..., "siret": ...,
// "uid": ..., "idp_id": ..., "amr": ["pwd", "mfa"]}}; default demo-identities.json). The login page takes an email and
// no password (a test identity provider): POST /interaction/<uid>/login with `email`.
import Provider from "oidc-provider";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const port = Number(process.env.PORT || 9400);
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
// The tests pass IDENTITIES; the demo uses demo-identities.json (agents of the demo buyer).
const identities = JSON.parse(
  process.env.IDENTITIES || readFileSync(new URL("./demo-identities.json", import.meta.url)),
);
const list = (value) => (value || "").split(",").filter(Boolean);

const CLAIMS = ["email", "given_name", "usual_name", "siret", "uid", "idp_id"];

const client = (client_id, client_secret) => ({
  client_id,
  client_secret,
  redirect_uris: list(process.env.REDIRECT_URIS || "http://127.0.0.1:8000/compte/proconnect/retour/"),
  post_logout_redirect_uris: list(
    process.env.POST_LOGOUT_REDIRECT_URIS || "http://127.0.0.1:8000/compte/proconnect/deconnexion/",
  ),
  response_types: ["code"],
  grant_types: ["authorization_code"],
  token_endpoint_auth_method: "client_secret_post",
  id_token_signed_response_alg: "RS256",
  userinfo_signed_response_alg: "RS256",
});
const clients = [
  client(process.env.CLIENT_ID || "clauses-demo", process.env.CLIENT_SECRET || "clauses-demo-secret"),
];
if (process.env.OTHER_CLIENT_ID) {
  clients.push(client(process.env.OTHER_CLIENT_ID, process.env.OTHER_CLIENT_SECRET));
}

const configuration = {
  clients,
  // ProConnect: each claim has its own scope of the same name.
  claims: Object.fromEntries([["openid", ["sub"]], ["amr", null], ...CLAIMS.map((c) => [c, [c]])]),
  scopes: ["openid", ...CLAIMS],
  acrValues: ["eidas1"],
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        // Submit the logout confirmation at once, as ProConnect ends its session itself.
        ctx.body = `<!DOCTYPE html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
      },
    },
  },
  pkce: { required: () => false },
  ttl: { AuthorizationCode: 30, AccessToken: 60, IdToken: 60 },
  findAccount: async (ctx, id) => {
    const identity = identities[id];
    if (!identity) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: identity.sub || id, email: id, ...identity }),
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ["clauses-test-provider"] },
};

const provider = new Provider(issuer, configuration);
provider.proxy = true;

const read = (req) =>
  new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(new URLSearchParams(body)));
  });

const callback = provider.callback();
createServer(async (req, res) => {
  try {
    if (req.url === "/favicon.ico") {
      // No icon: an empty answer, so that browsers log no 404 (the browser tests fail on it).
      res.statusCode = 204;
      res.end();
      return;
    }
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
    if (match) {
      const details = await provider.interactionDetails(req, res);
      if (!match[2]) {
        res.setHeader("content-type", "text/html; charset=utf-8");
        const known = Object.keys(identities)
          .map((email) => `<li>${email}</li>`)
          .join("");
        res.end(
          `<!DOCTYPE html><html lang="fr"><head><title>Fournisseur d'identité de test</title></head>` +
            `<body><h1>Fournisseur d'identité de test (ProConnect local)</h1>` +
            `<form method="post" action="/interaction/${details.uid}/login">` +
            `<label>Adresse électronique <input name="email" type="email"></label> ` +
            `<button>Se connecter</button></form><p>Identités connues :</p><ul>${known}</ul></body></html>`,
        );
        return;
      }
      const email = (await read(req)).get("email");
      const identity = identities[email];
      if (!identity) {
        await provider.interactionFinished(req, res, { error: "access_denied" });
        return;
      }
      const grant = new provider.Grant({ accountId: email, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      if (details.params.claims) {
        const requested = JSON.parse(details.params.claims);
        grant.addOIDCClaims(Object.keys(requested.id_token || {}));
        grant.addOIDCClaims(Object.keys(requested.userinfo || {}));
      }
      grant.addOIDCClaims(["amr", "acr"]);
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        {
          login: { accountId: email, amr: identity.amr || ["pwd"], acr: "eidas1" },
          consent: { grantId },
        },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    callback(req, res);
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}).listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
