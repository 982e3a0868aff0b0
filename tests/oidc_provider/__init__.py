"""The real OpenID provider the tests run (panva's oidc-provider on Node, `provider.mjs`) and the
stand-in for the person at the browser who logs in to it."""
