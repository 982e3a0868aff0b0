"""The in-memory credential agent (the ssh-agent model) and its standard-library-only clients.

`server.AgentServer` holds secrets read from the vault in memory (`memory.SecretStore`) for a set
time and answers over a Unix socket only the user can open; `kubewallet agent` runs it as a daemon
and the GUI embeds it. `fastclient` is what the exec plugin (`kubewallet credential get`) imports
on every kubectl call: `_socket` and `_json`, nothing else; `client` is the JSON control client of
`kubewallet agent status|lock|unlock|stop`. Both connect through `trust.connect`, which refuses a
socket whose folder or peer is not the user's. Nothing is imported here so
`from kubewallet.agent import fastclient` stays that cheap.
"""
