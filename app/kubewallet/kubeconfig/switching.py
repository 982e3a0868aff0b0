"""Switching context and namespace, with the history that `use -` and `ns -` read.

A switch is `kubectl config use-context NAME` (or `set-context --current --namespace=NS`) made
through `run_edit` (our lock, a settled read, kubectl's lock, backup, atomic replace), *and* the
context or namespace it left is remembered (history.py), as kubectx and kubens remember theirs.
The history is written here, by the switch itself, so every caller -- `kubewallet use`/`ns`,
`config use-context`, the window, the tray, the palette -- leaves the same trail, and
`kubewallet use -` after a switch in the window goes back to where the window left.

The folder catalog (folders.py) switches a folder file's context with `set_current_context`
and records its own kind of reference (the file and the name) in the same history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig import history

if TYPE_CHECKING:
    from kubewallet.kubeconfig.loading import LoadingRules
    from kubewallet.kubeconfig.workspace import Workspace

PREVIOUS = "-"
"""`ns -`: a namespace is a DNS label, so "-" can only mean "the previous one" (kubens's word)."""


class NoSuchContext(KubeconfigError):
    """A switch to a context the kubeconfig does not have (kubectl's words)."""


@dataclass(frozen=True)
class ContextSwitch:
    """What a context switch did: `previous` was current before (may be "" or equal `context`)."""

    context: str
    previous: str


@dataclass(frozen=True)
class NamespaceSwitch:
    """What a namespace switch did on `context`: `previous` was its namespace ("default" when
    none was set, as kubectl reads it), `namespace` is the one now set."""

    context: str
    previous: str
    namespace: str


def set_current_context(rules: "LoadingRules", name: str) -> str:
    """`kubectl config use-context NAME` alone (no history): makes `name` current in the file
    kubectl would write, or raises `NoSuchContext` and writes nothing. Returns the context
    that was current before."""
    from kubewallet.kubeconfig.workspace import run_edit

    def edit(ws: "Workspace") -> str:
        if name not in ws.contexts:
            raise NoSuchContext(f'no context exists with the name: "{name}"')
        before = ws.current_context
        ws.use_context(name)
        return before

    return run_edit(rules, edit)


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

    done = run_edit(rules, edit)
    history.remember_namespace(rules.precedence, done.context, done.previous, done.namespace)
    return done
