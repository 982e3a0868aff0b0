"""OpenID Connect login for kubectl: discovery, authorization code + PKCE, device code, refresh,
id_token checks, and the token cache.

The story of one `get-token` call lives in `session.py` (lock, cache, refresh or log in, save),
written over small collaborators (a secret store, a token cache, a browser, a clock) so tests
drive it against a real provider with only the person at the browser played by code.

Import discipline: `config`, `tokencache`, `jwtpeek` and `lock` are standard library only — they
serve a cached id_token on every kubectl call. Everything that talks to the network or checks a
signature (`http`, `discovery`, `idtoken`, `authcode`, `devicecode`, `session`) is imported only
when a refresh or a login is due. Nothing here imports Qt.
"""
