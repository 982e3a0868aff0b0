"""The identity an impersonated request gets, as the API server's impersonation filter builds it.

k8s.io/apiserver/pkg/endpoints/filters/impersonation/impersonation.go (Kubernetes 1.35),
`buildImpersonationRequests` then `WithImpersonation`:

- `Impersonate-User` (`--as`) names a ServiceAccount when serviceaccount.SplitUsername accepts it
  (`system:serviceaccount:NS:NAME`, NS a DNS label, NAME a DNS subdomain); the SA's groups
  `system:serviceaccounts` and `system:serviceaccounts:NS` are set **only when no
  `Impersonate-Group` header is given** — `--as-group` replaces them;
- each `--as-group` is appended in order (duplicates kept, as the filter keeps them);
- groups, extras or a UID without a user are refused: "requested [...] without impersonating a
  user" (a 400 from the server, an error here);
- then every user but `system:anonymous` gets `system:authenticated`, unless `system:authenticated`
  or `system:unauthenticated` is already among the groups; `system:anonymous` gets
  `system:unauthenticated` unless it is already there.

`can-i`, `--list`, `who-can` (for a subject), `access-matrix` and the GUI's Access page all build
the identity they ask for here.
"""

from __future__ import annotations

from kubewallet.errors import RbacError
from kubewallet.rbac.model import (ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS, SA_ALL_GROUP, Identity,
                                   split_service_account)

TYPE_CHECKING = False  # typing is not imported at run time: can-i is a short process
if TYPE_CHECKING:
    from collections.abc import Iterable


def impersonate(user: str, groups: Iterable[str] = (), uid: str = "") -> Identity:
    """The user, groups and UID the API server puts on a request sent with `--as USER
    --as-group G... --as-uid UID` (RbacError for groups or a UID without a user)."""
    groups = list(groups)
    if not user:
        if groups or uid:
            asked = [f"Group {g}" for g in groups] + ([f"UID {uid}"] if uid else [])
            raise RbacError(f"requested [{', '.join(asked)}] without impersonating a user",
                            hint="--as-group and --as-uid need --as USER, as with kubectl")
        raise RbacError("no user to impersonate", hint="pass --as USER")
    sa = split_service_account(user)
    out: list[str] = []
    if sa is not None and not groups:
        out = [SA_ALL_GROUP, f"{SA_ALL_GROUP}:{sa[0]}"]
    out.extend(groups)
    if user != ANONYMOUS:
        if not any(g in (ALL_AUTHENTICATED, ALL_UNAUTHENTICATED) for g in out):
            out.append(ALL_AUTHENTICATED)
    elif ALL_UNAUTHENTICATED not in out:
        out.append(ALL_UNAUTHENTICATED)
    return Identity(user, tuple(out), uid)
