"""The kubeconfig engine: kubectl's loading rules, merge, edits and safe saving.

```python
rules = LoadingRules.from_env(explicit_path)   # --kubeconfig, else $KUBECONFIG, else ~/.kube/config
ws = load_workspace(rules)                      # validated; KubeconfigParseError names file:line:col
ws.contexts["prod"].body["namespace"]           # merged view, first file wins
run_edit(rules, lambda ws: ws.use_context("prod"))   # lock, reload, edit, save (retried on a race)
```
"""

from kubewallet.kubeconfig.loading import LoadingRules
from kubewallet.kubeconfig.workspace import (KubeconfigFile, NamedEntry, Workspace, edit_workspace,
                                             load_workspace, read_kubeconfig, run_edit)

__all__ = ["LoadingRules", "KubeconfigFile", "NamedEntry", "Workspace", "edit_workspace",
           "load_workspace", "read_kubeconfig", "run_edit"]
