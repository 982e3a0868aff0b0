"""The identity of a kubeconfig context, for `--context`: who the API server would see.

Delegates to the inspection package (`kubewallet.inspect.whoami`): a client certificate's CN
and O's, a ServiceAccount token's user and groups, an OIDC token through the cluster's claim
rules. Imported only when `--context` (or no `--as`) is used, so `can-i --as ...` never pays
for kubeconfig parsing or X.509.
"""

from __future__ import annotations

import datetime as dt

from kubewallet.errors import KubewalletError, RbacError
from kubewallet.rbac.model import Identity


def identity_from_context(context: str | None, kubeconfig: str | None = None) -> Identity:
    """Identity (user, groups) of `context` (None: the current context)."""
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    try:
        ws = load_workspace(LoadingRules.from_env(kubeconfig))
    except KubewalletError as exc:
        raise RbacError(f"no identity to ask for: the kubeconfig gives none: {exc.one_line()}",
                        hint="pass --as USER [--as-group GROUP]... instead") from None
    return identity_from_workspace(ws, context)


def identity_from_workspace(ws, context: str | None) -> Identity:
    """Identity of `context` in an already loaded kubeconfig workspace (the GUI has one)."""
    from kubewallet.inspect.claimrules import rules_for
    from kubewallet.inspect.whoami import whoami

    try:
        found = whoami(ws, context, now=dt.datetime.now(dt.timezone.utc), rules_for=rules_for)
    except RbacError:
        raise
    except KubewalletError as exc:
        raise RbacError(f"no identity to ask for: the kubeconfig gives none: {exc.one_line()}",
                        hint="pass --as USER [--as-group GROUP]... instead") from None
    who = found.identity
    if who is None or not who.username:
        why = "; ".join(found.problems) or f"its credential ({found.credential}) does not say who it is offline"
        raise RbacError(f"context {found.context!r}: the user name is not knowable offline: {why}",
                        hint="pass --as USER [--as-group GROUP]...")
    return Identity(who.username, tuple(who.groups), who.uid or "")
