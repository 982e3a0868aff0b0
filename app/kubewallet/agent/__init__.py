"""The in-memory credential agent (the ssh-agent model) and its standard-library-only client.

`server.AgentServer` holds secrets read from the vault in memory for a set time and answers over a
Unix socket only the user can open; `kubewallet agent` runs it as a daemon and the GUI embeds it.
`client` is what the exec plugin imports on every kubectl call: sockets and JSON, nothing else.
Nothing is imported here so `from kubewallet.agent import client` stays that cheap.
"""
