"""What a check found about one context: the report `kubewallet check` prints and the window's
status column shows. Plain values, no secrets (the credential is named, never shown)."""

from __future__ import annotations

from dataclasses import dataclass

# reason -> the word the window's status column shows
STATUS_WORDS = {"ok": "ok", "unreachable": "unreachable", "tls": "TLS", "unauthorized": "unauthorized",
                "needs-login": "needs login", "error": "error"}


@dataclass(frozen=True)
class CheckResult:
    context: str
    ok: bool
    stage: str                          # "connect" | "tls" | "auth" | "ok": where it stopped
    reason: str                         # "ok" | "unreachable" | "tls" | "unauthorized" | "needs-login" | "error"
    message: str                        # plain words
    seconds: float
    cluster: str = ""
    server: str = ""
    credential: str = ""                # what was sent ("bearer token (users/alice token)")
    user: str | None = None             # as the server reports it
    groups: tuple[str, ...] = ()
    expected_user: str | None = None    # kubewallet's offline whoami
    expected_groups: tuple[str, ...] = ()
    differences: tuple[str, ...] = ()   # server vs offline whoami
    warnings: tuple[str, ...] = ()
    server_version: str = ""

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.reason, self.reason)

    def to_json(self) -> dict:
        return {"context": self.context, "ok": self.ok, "stage": self.stage, "reason": self.reason,
                "message": self.message, "user": self.user, "groups": list(self.groups),
                "expected_user": self.expected_user, "expected_groups": list(self.expected_groups),
                "differences": list(self.differences), "warnings": list(self.warnings),
                "server_version": self.server_version or None, "seconds": round(self.seconds, 3),
                "cluster": self.cluster, "server": self.server, "credential": self.credential}
