"""A loaded policy with what a front end needs around it (the GUI's Access page uses this).

Loading a large dump takes seconds, so a front end runs `load_policy` off its UI thread; the
`progress` callback is told (done, total, text) per file and once more for indexing.
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Callable, Iterable

from kubewallet.rbac.authorizer import Authorizer
from kubewallet.rbac.loading import iter_manifest_files, load_paths
from kubewallet.rbac.model import LoadReport, Policy, Subject
from kubewallet.rbac.resources import builtin_types


class LoadedPolicy(namedtuple("LoadedPolicy", "authorizer report paths with_defaults")):
    __slots__ = ()
    authorizer: Authorizer
    report: LoadReport
    paths: tuple[str, ...]
    with_defaults: bool

    def subjects(self) -> list[Subject]:
        return self.authorizer.subjects()

    def namespaces(self) -> list[str]:
        return self.authorizer.namespaces()

    def resource_names(self) -> list[str]:
        """TYPE arguments to offer: built-in types, then every resource the rules name."""
        out = [t.qualified for t in builtin_types()]
        seen = set(out)
        for role in self.authorizer.roles:
            for rule in role.rules:
                for res in rule.resources:
                    base = res.split("/")[0]
                    for g in rule.api_groups:
                        name = f"{base}.{g}" if g and g != "*" else base
                        if base != "*" and name not in seen:
                            seen.add(name)
                            out.append(name)
        return out

    def summary(self) -> str:
        text = self.report.summary() if self.report.files else "no manifests"
        return text + (" + the default cluster roles" if self.with_defaults else "")


WORKSPACE_POLICY_ENV = "KUBEWALLET_RBAC"
"""An `os.pathsep` list of RBAC manifest files or folders that belong with the kubeconfig in use
(the demo workspace sets it to its `rbac/` folder): a front end loads them without being asked."""


def workspace_policy_paths(environ: dict[str, str] | os._Environ | None = None) -> list[str]:
    """The existing paths named by `KUBEWALLET_RBAC` (empty and missing entries skipped, as
    kubectl skips them in KUBECONFIG)."""
    raw = (os.environ if environ is None else environ).get(WORKSPACE_POLICY_ENV, "")
    return [p for p in dict.fromkeys(raw.split(os.pathsep)) if p and os.path.exists(p)]


def load_policy(paths: Iterable[str | os.PathLike[str]], with_defaults: bool = False, *,
                progress: Callable[[int, int, str], None] | None = None) -> LoadedPolicy:
    paths = tuple(os.fspath(p) for p in paths)
    files = list(iter_manifest_files(paths))
    total = len(files) + 1

    def step(done: int, _total: int) -> None:
        if progress is not None:
            nxt = files[done] if done < len(files) else ""
            progress(done, total, f"reading {os.path.basename(nxt)}" if nxt else "indexing")

    if progress is not None and files:
        progress(0, total, f"reading {os.path.basename(files[0])}")
    policy, report = load_paths(files, progress=step) if files else (Policy(), LoadReport())
    if with_defaults:
        from kubewallet.rbac.defaults import with_defaults as add_defaults

        policy = add_defaults(policy)
    authz = Authorizer(policy)
    if progress is not None:
        progress(total, total, "loaded")
    return LoadedPolicy(authz, report, paths, with_defaults)
