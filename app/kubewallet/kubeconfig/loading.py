"""Which files make up the kubeconfig, and where an edit is written (client-go's loading rules).

The rules, as `clientcmd.ClientConfigLoadingRules` applies them:

1. `--kubeconfig PATH` (the *explicit* file) wins; the merge is that one file.
2. Else `$KUBECONFIG`: an `os.pathsep`-separated list; empty entries are skipped and repeated
   entries dropped (first kept); files that do not exist are skipped when reading.
3. Else `~/.kube/config`.

Merging: the first file that defines a cluster, user or context name wins; the first file
that sets a non-empty `current-context` wins. Relative paths inside a file are relative to
that file's directory (resolved when used, not rewritten: `kubectl config view` prints them as
written).

Where an edit goes (`GetDefaultFilename` and `ModifyConfig`): a change to an existing entry goes
to the file that defined it (its origin); a new entry and a new `current-context` go to the
*default file* — the explicit file, else the first file of the list that exists, else the
*last* file of the list (kubectl's `PathOptions.GetDefaultFilename`, which is what `kubectl
config` uses; client-go's loading rules would pick the first). Clearing `current-context` clears
it in the first file that sets it.
"""

from __future__ import annotations

import os


def default_kubeconfig() -> str:
    """`~/.kube/config`, with HOME read at call time (tests and `sudo -E` change it)."""
    return os.path.join(os.environ.get("HOME") or os.path.expanduser("~"), ".kube", "config")


class LoadingRules:
    """The list of files, in precedence order, and whether it came from `--kubeconfig`.

    `source` says where the list came from: "explicit", "KUBECONFIG" or "default".
    """

    __slots__ = ("precedence", "explicit", "source")

    def __init__(self, precedence: tuple[str, ...], explicit: str | None = None,
                 source: str = "default") -> None:
        self.precedence, self.explicit, self.source = tuple(precedence), explicit, source

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LoadingRules) and (self.precedence, self.explicit) == (
            other.precedence, other.explicit)

    def __hash__(self) -> int:
        return hash((self.precedence, self.explicit))

    def __repr__(self) -> str:
        return f"LoadingRules({self.precedence!r}, explicit={self.explicit!r})"

    @classmethod
    def from_env(cls, explicit_path: str | None = None,
                 environ: dict[str, str] | os._Environ | None = None) -> "LoadingRules":
        env = os.environ if environ is None else environ
        if explicit_path:
            return cls((explicit_path,), explicit_path, "explicit")
        raw = env.get("KUBECONFIG", "")
        if raw:
            chain: list[str] = []
            for item in raw.split(os.pathsep):
                if item and item not in chain:
                    chain.append(item)
            if chain:
                return cls(tuple(chain), None, "KUBECONFIG")
        home = env.get("HOME")
        path = os.path.join(home, ".kube", "config") if home else default_kubeconfig()
        return cls((path,), None, "default")

    @property
    def is_explicit(self) -> bool:
        return self.explicit is not None

    def default_filename(self) -> str:
        """Where new entries and a new current-context are written (client-go GetDefaultFilename)."""
        if self.explicit:
            return self.explicit
        for name in self.precedence:
            if os.path.exists(name):
                return name
        return self.precedence[-1]
