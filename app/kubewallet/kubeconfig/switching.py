"""Switching context and namespace, with the history that `use -` and `ns -` read.

A switch is `kubectl config use-context NAME` (or `set-context --current --namespace=NS`) made
through `run_edit` (our lock, a settled read, kubectl's lock, backup, atomic replace), *and* the
context or namespace it left is remembered (history.py), as kubectx and kubens remember theirs.
The history is written here, by the switch itself, so every caller -- `kubewallet use`/`ns`,
`config use-context`, the window, the tray, the palette -- leaves the same trail, and
`kubewallet use -` after a switch in the window goes back to where the window left.

The folder catalog (folders.py) switches a folder file's context with `set_current_context`
and records its own kind of reference (the file and the name) in the same history.

A switch is tried first by quickswitch.py (one value spliced into the file, no YAML parser, when
its cache knows the files) and otherwise made by the full path; both write through saving.py.
This module imports only what that quick path needs (no dataclasses, typing or YAML): `use`
is the command people run most.
"""

from __future__ import annotations

from collections import namedtuple

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig import history, quickswitch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kubewallet.kubeconfig.loading import LoadingRules
    from kubewallet.kubeconfig.workspace import Workspace

PREVIOUS = "-"
"""`ns -`: a namespace is a DNS label, so "-" can only mean "the previous one" (kubens's word)."""


class NoSuchContext(KubeconfigError):
    """A switch to a context the kubeconfig does not have (kubectl's words)."""


ContextSwitch = namedtuple("ContextSwitch", "context previous")
ContextSwitch.__doc__ = """What a context switch did: `previous` was current before (may be "" or equal `context`)."""

NamespaceSwitch = namedtuple("NamespaceSwitch", "context previous namespace")
NamespaceSwitch.__doc__ = """What a namespace switch did on `context`: `previous` was its namespace
("default" when none was set, as kubectl reads it), `namespace` is the one now set."""


def set_current_context(rules: "LoadingRules", name: str) -> str:
    """`kubectl config use-context NAME` alone (no history): makes `name` current in the file
    kubectl would write, or raises `NoSuchContext` and writes nothing. Returns the context
    that was current before."""
    try:
        return quickswitch.use_context(rules, name, NoSuchContext)
    except quickswitch.Miss:
        pass
    from kubewallet.kubeconfig.workspace import run_edit

    def edit(ws: "Workspace") -> str:
        if name not in ws.contexts:
            raise NoSuchContext(f'no context exists with the name: "{name}"')
        before = ws.current_context
        ws.use_context(name)
        return before

    before = run_edit(rules, edit)
    quickswitch.remember(rules.precedence)  # validated just now: the next switch is quick
    return before


def switch_to(rules: "LoadingRules", name: str) -> ContextSwitch:
    """Switch to the context `name` and remember the one it leaves, for `switch_back`."""
    before = set_current_context(rules, name)
    if before and before != name:
        history.remember_context(rules.precedence, before)
    return ContextSwitch(name, before)


def switch_back(rules: "LoadingRules") -> ContextSwitch:
    """`kubewallet use -`: back to the context the last switch left (which is remembered in
    turn, so `use -` twice toggles, as `kubectx -` does)."""
    target = history.previous_context(rules.precedence)
    if not target:
        raise KubeconfigError("no previous context to switch back to")
    return switch_to(rules, target)


def current_namespace(ws: "Workspace") -> tuple[str, str]:
    """(current context, its namespace as kubectl uses it: "default" when unset)."""
    name = ws.current_context
    if not name:
        raise KubeconfigError("current-context is not set",
                              hint="pick one first: kubewallet use CONTEXT")
    entry = ws.contexts.get(name)
    if entry is None:
        raise KubeconfigError(f'the current context "{name}" does not exist')
    return name, entry.body.get("namespace") or "default"


def switch_namespace(rules: "LoadingRules", namespace: str) -> NamespaceSwitch:
    """`kubectl config set-context --current --namespace=NS`, remembering the namespace it
    leaves (per context) for `ns -`, and the one it sets among the context's recent ones.
    `namespace` PREVIOUS ("-") goes back to the namespace the last switch on this context left."""
    done = _quick_namespace(rules, namespace)
    if done is None:
        done = _full_namespace(rules, namespace)
        quickswitch.remember(rules.precedence)
    history.remember_namespace(rules.precedence, done.context, done.previous, done.namespace)
    return done


def _quick_namespace(rules: "LoadingRules", namespace: str) -> NamespaceSwitch | None:
    if namespace == PREVIOUS:
        return None  # needs the current context first: the full path reads it under the lock
    try:
        context, before = quickswitch.set_namespace(rules, namespace)
    except quickswitch.Miss:
        return None
    return NamespaceSwitch(context, before, namespace)


def _full_namespace(rules: "LoadingRules", namespace: str) -> NamespaceSwitch:
    from kubewallet.kubeconfig.workspace import run_edit

    def edit(ws: "Workspace") -> NamespaceSwitch:
        name, before = current_namespace(ws)
        target = namespace
        if namespace == PREVIOUS:
            target = history.previous_namespace(rules.precedence, name) or ""
            if not target:
                raise KubeconfigError(f'no previous namespace for context "{name}"')
        ws.set_entry("contexts", name, {**ws.contexts[name].body, "namespace": target})
        return NamespaceSwitch(name, before, target)

    return run_edit(rules, edit)


NamespaceChoices = namedtuple("NamespaceChoices", "context current namespaces")
NamespaceChoices.__doc__ = """What `kubewallet ns` offers for the current context: `current` is
its namespace now, first among `namespaces`."""


def namespace_choices(ws: "Workspace") -> NamespaceChoices:
    """The namespaces worth offering on the current context: its own, those the kubeconfig's
    contexts name on the same cluster (kubens asks the server; we stay offline), those used
    lately with this context (history.py), and `default`. Current first, then by name."""
    name, current = current_namespace(ws)
    cluster = ws.contexts[name].body.get("cluster")
    named = {entry.body.get("namespace") for entry in ws.contexts.values()
             if entry.body.get("cluster") == cluster}
    recent = history.recent_namespaces(ws.rules.precedence, name)
    found = {ns for ns in (*named, *recent, "default") if isinstance(ns, str) and ns}
    found.discard(current)
    return NamespaceChoices(name, current, (current, *sorted(found)))


def valid_namespace(name: str) -> bool:
    """A namespace name the API server accepts: an RFC 1123 DNS label (lower-case letters,
    digits and '-', starting and ending with a letter or digit, at most 63 characters)."""
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-")
    return 0 < len(name) <= 63 and set(name) <= allowed and name[0] != "-" and name[-1] != "-"
