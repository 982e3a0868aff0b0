"""The certificate report over a kubeconfig's contexts: every CA and client certificate, sorted
by expiry, with the checks of `certificates.py` — the client-side counterpart of
`kubeadm certs check-expiration`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kubewallet.errors import InspectError, UsageError
from kubewallet.inspect import certificates as certs
from kubewallet.inspect.sources import (Material, VaultReader, field_material, user_credentials)

# Exit statuses of `kubewallet certs` and `kubewallet lint` (documented in their --help).
EXIT_OK, EXIT_WARN, EXIT_BAD = 0, 1, 2


@dataclass(frozen=True)
class CertRecord:
    """One certificate as the report lists it. `error` is set (and `info` None) when the field
    could not be read or parsed; such a record counts as broken, like an expired one."""

    role: str                       # "client" or "ca"
    owner: str                      # "users/jane" or "clusters/prod"
    source: str                     # the field (and file) it came from
    contexts: tuple[str, ...]
    info: certs.CertInfo | None = None
    error: str = ""
    checks: tuple[certs.Check, ...] = ()
    position: int = 0               # index inside a bundle (0 for the first certificate)
    bundle_size: int = 1

    def status(self, now: dt.datetime, warn: dt.timedelta) -> str:
        """'unreadable', 'expired', 'not-yet-valid', 'broken' (valid in time, but kubectl or the
        server refuses it: the key does not match, no clientAuth...), 'expiring' or 'ok'."""
        if self.info is None:
            return "unreadable"
        status = self.info.status(now, warn)
        if status in ("ok", "expiring") and any(c.fatal for c in self.checks):
            return "broken"
        return status

    @property
    def label(self) -> str:
        what = "client certificate" if self.role == "client" else "CA"
        extra = f" [{self.position + 1}/{self.bundle_size}]" if self.bundle_size > 1 else ""
        return f"{self.owner} {what}{extra}"

    def to_json(self, now: dt.datetime, warn: dt.timedelta) -> dict:
        out = {"role": self.role, "owner": self.owner, "source": self.source,
               "contexts": list(self.contexts), "status": self.status(now, warn),
               "checks": [{"level": c.level, "text": c.text} for c in self.checks]}
        if self.info is not None:
            out["certificate"] = self.info.to_json(now)
        if self.error:
            out["error"] = self.error
        return out


def select_contexts(ws, context: str | list[str] | None = None, all_contexts: bool = False) -> list[str]:
    """`--context C` (or several names), `--all-contexts`, or by default the current context
    (every context when none is current), like kubectl's own default of "the current context"."""
    names = [context] if isinstance(context, str) else list(context or [])
    if names and all_contexts:
        raise UsageError("--context and --all-contexts exclude each other")
    for name in names:
        if name not in ws.contexts:
            raise InspectError(f"context {name!r} not found",
                               hint="'kubewallet config get-contexts' lists them")
    if names:
        return list(dict.fromkeys(names))
    if not all_contexts and ws.current_context and ws.current_context in ws.contexts:
        return [ws.current_context]
    return list(ws.contexts)


def pem_check(material: Material) -> certs.Check | None:
    """kubectl needs PEM where kubewallet also takes DER or base64: say so before kubectl fails."""
    if material.data is None:
        return None
    try:
        form = certs.encoding(material.data)
    except InspectError:
        return None
    if form == "pem":
        return None
    words = "DER (binary)" if form == "der" else "base64 text"
    return certs.Check("error", f"{material.source} holds {words}, but kubectl reads only PEM there "
                                "(convert it to PEM: openssl x509 -inform der, or openssl pkey -inform der for a key)", fatal=True)


def _load(material: Material) -> tuple[list, str]:
    if material.data is None:
        return [], material.error
    try:
        return certs.load_certificates(material.data, material.source), ""
    except InspectError as exc:
        return [], exc.message


def _load_key(material: Material | None, pem: str | None = None, source: str = ""):
    try:
        if pem is not None:
            return certs.load_private_key(pem, source)
        if material is None or material.data is None:
            return None
        return certs.load_private_key(material.data, material.source)
    except InspectError:
        return None


def cluster_bundle(ws, cluster_name: str) -> tuple[Material | None, list]:
    entry = ws.clusters.get(cluster_name)
    if entry is None:
        return None, []
    material = field_material(ws, entry, "certificate-authority-data", "certificate-authority")
    if material is None:
        return None, []
    loaded, _ = _load(material)
    return material, loaded


def certificate_report(ws, context_names: list[str], *, now: dt.datetime, warn: dt.timedelta,
                       vault_reader: VaultReader | None = None) -> list[CertRecord]:
    """Every certificate the given contexts use, each once (a CA or user shared by several
    contexts lists them all), soonest expiry first; unreadable ones before everything."""
    users: dict[str, list[str]] = {}
    clusters: dict[str, list[str]] = {}
    for name in context_names:
        body = ws.contexts[name].body or {}
        if body.get("cluster"):
            clusters.setdefault(str(body["cluster"]), []).append(name)
        if body.get("user"):
            users.setdefault(str(body["user"]), []).append(name)

    records: list[CertRecord] = []
    bundles: dict[str, list] = {}
    for cluster, ctxs in clusters.items():
        material, loaded = cluster_bundle(ws, cluster)
        if material is None:
            continue
        bundles[cluster] = loaded
        loaded, error = _load(material)
        if error:
            records.append(CertRecord("ca", f"clusters/{cluster}", material.source, tuple(ctxs), error=error))
            continue
        infos = []
        for i, cert in enumerate(loaded):
            try:
                infos.append((i, certs.describe(cert, material.source)))
            except InspectError as exc:
                records.append(CertRecord("ca", f"clusters/{cluster}", material.source, tuple(ctxs),
                                          error=exc.message, position=i, bundle_size=len(loaded)))
        form = pem_check(material)
        for i, info in infos:
            checks = certs.bundle_checks([info], now, warn) + ([form] if form else [])
            records.append(CertRecord("ca", f"clusters/{cluster}", material.source, tuple(ctxs), info,
                                      checks=tuple(checks), position=i, bundle_size=len(loaded)))

    for user, ctxs in users.items():
        creds = user_credentials(ws, user, vault_reader)
        key = None
        material = creds.client_cert
        if creds.client_cert is not None:
            key = _load_key(creds.client_key)
        elif creds.vault is not None and (creds.vault.cert_pem or creds.vault.error):
            if creds.vault.error:
                records.append(CertRecord("client", f"users/{user}", f"vault {creds.vault.ref}",
                                          tuple(ctxs), error=creds.vault.error))
                continue
            material = Material(f"users/{user} (vault {creds.vault.ref})", creds.vault.cert_pem.encode())
            key = _load_key(None, creds.vault.key_pem, material.source)
        if material is None:
            continue
        loaded, error = _load(material)
        if error:
            records.append(CertRecord("client", f"users/{user}", material.source, tuple(ctxs), error=error))
            continue
        leaf = loaded[0]
        try:
            info = certs.describe(leaf, material.source)
        except InspectError as exc:
            records.append(CertRecord("client", f"users/{user}", material.source, tuple(ctxs), error=exc.message))
            continue
        first_cluster = next((str(ws.contexts[c].body.get("cluster")) for c in ctxs
                              if (ws.contexts[c].body or {}).get("cluster")), "")
        bundle = list(bundles.get(first_cluster, [])) + loaded[1:]
        checks = certs.client_checks(leaf, info, key=key, bundle=bundle, now=now, warn=warn)
        for form in (pem_check(material), pem_check(creds.client_key) if creds.client_key else None):
            if form is not None:
                checks.append(form)
        if key is None and (creds.client_key is not None or creds.vault is not None):
            checks.append(certs.Check("error", "the client key cannot be read", fatal=True))
        elif key is None:
            checks.append(certs.Check("error", "no client-key or client-key-data: kubectl cannot use "
                                               "the certificate without its key", fatal=True))
        records.append(CertRecord("client", f"users/{user}", material.source, tuple(ctxs), info,
                                  checks=tuple(checks)))

    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    records.sort(key=lambda r: (r.info is not None, r.info.not_after if r.info else far, r.owner))
    return records


def exit_status(records: list[CertRecord], now: dt.datetime, warn: dt.timedelta) -> int:
    """0 all fine; 1 something within the warning window; 2 something expired, not yet valid,
    unreadable or broken (kubectl will fail with it)."""
    statuses = {r.status(now, warn) for r in records}
    if statuses & {"expired", "not-yet-valid", "unreadable", "broken"}:
        return EXIT_BAD
    if "expiring" in statuses:
        return EXIT_WARN
    return EXIT_OK
