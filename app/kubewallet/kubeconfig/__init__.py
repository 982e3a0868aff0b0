"""The kubeconfig engine: kubectl's loading rules, merge, edits and safe saving.

```python
rules = LoadingRules.from_env(explicit_path)   # --kubeconfig, else $KUBECONFIG, else ~/.kube/config
ws = load_workspace(rules)                      # validated; KubeconfigParseError names file:line:col
ws.contexts["prod"].body["namespace"]           # merged view, first file wins
run_edit(rules, lambda ws: ws.use_context("prod"))   # lock, reload, edit, save (retried on a race)
```
"""

from kubewallet.kubeconfig.loading import LoadingRules

__all__ = ["LoadingRules", "KubeconfigFile", "NamedEntry", "Workspace",
           "load_workspace", "read_kubeconfig", "run_edit", "switch_to", "NoSuchContext"]


def __getattr__(name: str):
    """The workspace names load on first use: a submodule such as `folders` (or a command that
    needs only `LoadingRules`) then does not pay for PyYAML and the engine at start-up."""
    if name in __all__:
        from kubewallet.kubeconfig import workspace

        return getattr(workspace, name)
    raise AttributeError(f"module 'kubewallet.kubeconfig' has no attribute {name!r}")
