"""A local OpenID Connect provider: the central single-window (中央标准版) identity provider for tests and the demo.

It speaks OAuth 2.0 authorization code (RFC 6749) with PKCE (RFC 7636, S256) and OpenID Connect Core 1.0:
discovery document, an authorize endpoint with a small Chinese login page, the token endpoint
(client_secret_basic / client_secret_post; codes live 60 s and work once), a JWKS with an RS256 key, signed
id_tokens and userinfo. ``api.blueprint_for(settings)`` serves it under ``/sim/idp`` inside the app
(``simulators.enabled``); ``api.blueprint(platform)`` serves a given platform anywhere (contract tests).
"""
