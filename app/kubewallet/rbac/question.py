"""A can-i question in words (VERB, TYPE[/NAME] or a URL, subresource, namespace) as the request
kubectl's `auth can-i` would send, with the warnings kubectl prints for it.

The rules are k8s.io/kubectl/pkg/cmd/auth/cani.go's (`Complete`, `Validate`, `resourceFor`):
- a target starting with `/` is a NonResourceURL, and `--subresource` with one is an error
  ("--subresource can not be used with NonResourceURL");
- otherwise `TYPE[/NAME]`, the type resolved by kubectl's rules (`rbac.resources.resolve_type`);
- warnings, in kubectl's order: the type's own warning (unknown, or matched loosely), a
  cluster-scoped resource asked about in a namespace, a verb kubectl does not know.

`kubewallet can-i`, `who-can` and the GUI's Access page all ask through `parse_question`.
"""

from __future__ import annotations

from collections import namedtuple

from kubewallet.errors import RbacError
from kubewallet.rbac.model import Request

# kubectl's lists (cani.go): other verbs are allowed but warned about.
RESOURCE_VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
                            "use", "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"})
NON_RESOURCE_VERBS = frozenset({"get", "put", "post", "head", "options", "delete", "patch", "*"})


class Question(namedtuple("Question", "request warnings")):
    """The request and kubectl's warnings about it (texts without the `Warning: ` prefix)."""

    __slots__ = ()
    request: Request
    warnings: tuple[str, ...]


def parse_question(verb: str, target: str, subresource: str = "", namespace: str = "",
                   name: str = "") -> Question:
    """The request for `can-i VERB TARGET [--subresource S] [-n NS]`; `name` (a separate field
    in the GUI) stands in for a NAME not given as TYPE/NAME. RbacError for a subresource on a URL."""
    if target.startswith("/"):
        if subresource:
            raise RbacError("--subresource can not be used with NonResourceURL")
        warnings = () if verb in NON_RESOURCE_VERBS else (f"verb '{verb}' is not a known verb",)
        return Question(Request(verb, path=target), warnings)
    from kubewallet.rbac.resources import resolve_type

    type_arg, _, inline_name = target.partition("/")
    resolved = resolve_type(type_arg)
    found: list[str] = []
    if resolved.warning:
        found.append(resolved.warning)
    if namespace and resolved.known is not None and not resolved.known.namespaced:
        where = f" in group '{resolved.group}'" if resolved.group else ""
        found.append(f"resource '{resolved.resource}' is not namespace scoped{where}")
    if verb not in RESOURCE_VERBS:
        found.append(f"verb '{verb}' is not a known verb")
    request = Request(verb, resolved.resource, resolved.group, subresource, name or inline_name, namespace)
    return Question(request, tuple(found))
