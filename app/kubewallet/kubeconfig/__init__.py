"""The kubeconfig engine: kubectl's loading rules, merge, edits and safe saving.

```python
rules = LoadingRules.from_env(explicit_path)   # --kubeconfig, else $KUBECONFIG, else ~/.kube/config
ws = load_workspace(rules)                      # validated; KubeconfigParseError names file:line:col
ws.contexts["prod"].body["namespace"]           # merged view, first file wins
run_edit(rules, lambda ws: ws.use_context("prod"))   # lock, reload, edit, save (retried on a race)
switch_to(rules, "prod")                        # the same, remembering the context left (`use -`)
switch_namespace(rules, "web")                  # set-context --current --namespace, remembered (`ns -`)
```
"""

from kubewallet.kubeconfig.loading import LoadingRules

_WORKSPACE = ("KubeconfigFile", "NamedEntry", "Workspace", "load_workspace", "read_kubeconfig", "run_edit")
_SWITCHING = ("switch_to", "switch_back", "switch_namespace", "set_current_context", "NoSuchContext",
              "ContextSwitch", "NamespaceSwitch")
__all__ = ["LoadingRules", *_WORKSPACE, *_SWITCHING]


def __getattr__(name: str):
    """The workspace names load on first use: a submodule such as `folders` (or a command that
    needs only `LoadingRules`) then does not pay for PyYAML and the engine at start-up."""
    if name in _WORKSPACE:
        from kubewallet.kubeconfig import workspace

        return getattr(workspace, name)
    if name in _SWITCHING:
        from kubewallet.kubeconfig import switching

        return getattr(switching, name)
    raise AttributeError(f"module 'kubewallet.kubeconfig' has no attribute {name!r}")
