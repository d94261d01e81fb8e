"""Sign-in of public agents through ProConnect, the State's OpenID Connect federation.

`client`: the OpenID Connect flow as ProConnect documents it (discovery, authorisation
request, token and signed userinfo, logout). `identities`: what an identity opens here (an
existing account, or a new one in the organisation of its SIRET). `views`: the three pages.
Nothing shows unless `CLAUSES_PROCONNECT_ISSUER`, `_CLIENT_ID` and `_CLIENT_SECRET` are set
(docs/proconnect.md)."""
