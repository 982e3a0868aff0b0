"""The one exception hierarchy of kubewallet.

Every error a person can run into is a `KubewalletError` carrying a message they can act on
and, where useful, a hint (what to run or change). The CLI prints it as one line on stderr and
exits non-zero; the GUI shows it next to what caused it. Nothing in here ever holds a secret:
messages name files, fields, users and references, never values.
"""

from __future__ import annotations


class KubewalletError(Exception):
    """Base of every error kubewallet raises on purpose.

    `exit_code` is what the CLI exits with; 1 matches kubectl's exit status for its own errors.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """The form the CLI prints: message, then the hint, on one line."""
        text = " ".join(self.message.split("\n"))
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(KubewalletError):
    """Wrong arguments on the command line (argparse's own errors exit 2 as well)."""

    exit_code = 2


class KubeconfigError(KubewalletError):
    """A kubeconfig is missing something, names something that does not exist, or is wrong."""


class KubeconfigParseError(KubeconfigError):
    """A kubeconfig file does not parse, or parses into the wrong shape.

    Carries the file and, when the YAML parser knows it, the 1-based line and column. The words
    start as kubectl's do (`error loading config file "F": ...`) so the two read alike.
    """

    def __init__(self, path: str, problem: str, line: int | None = None,
                 column: int | None = None, *, hint: str | None = None) -> None:
        where = "" if line is None else f"line {line}, column {column or 1}: "
        super().__init__(f'error loading config file "{path}": {where}{problem}', hint=hint)
        self.path = path
        self.problem = problem
        self.line = line
        self.column = column


class LockError(KubeconfigError):
    """Another process holds the kubeconfig's lock file (`<file>.lock`, client-go's convention)."""


class VaultError(KubewalletError):
    """The secret store cannot be reached, is locked, or does not hold what was asked for."""


class VaultLockedError(VaultError):
    """The vault needs a passphrase or an unlock before it can answer."""


class AgentError(KubewalletError):
    """The in-memory credential agent cannot be reached or refused the request."""


class ExecPluginError(KubewalletError):
    """The exec credential plugin cannot produce a credential."""


class OidcError(KubewalletError):
    """An OpenID Connect login, refresh or token check failed."""


class InspectError(KubewalletError):
    """A certificate, key or token cannot be parsed or checked."""


class RbacError(KubewalletError):
    """RBAC manifests cannot be loaded, or a can-i question is malformed.

    Exit status 2 would collide with nothing, but kubectl's `auth can-i` uses 1 for "no",
    so every error here must exit with something else than 0 and 1.
    """

    exit_code = 3
