"""`kubewallet gui` (also plain `kubewallet` and `kubewallet --demo`): open the desktop window.

Qt is imported only here, inside `main`, so no other command pays for it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

EPILOG = """examples:
  kubewallet                        open the window on $KUBECONFIG (or ~/.kube/config)
  kubewallet --demo                 open it on a generated demo workspace (nothing of yours is touched)
  kubewallet gui --kubeconfig FILE  open it on one file
  kubewallet gui --page users       start on a given page
"""


def _placeholder_demo(directory: Path) -> Path:
    """PLACEHOLDER until `kubewallet.demo.build_demo` exists: a small two-file workspace with
    made-up servers and no secrets (an exec user and a tokenFile user)."""
    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    main = {"apiVersion": "v1", "kind": "Config", "current-context": "dev", "preferences": {},
            "clusters": [{"name": n, "cluster": {"server": f"https://{n}.demo.invalid:6443"}}
                         for n in ("dev", "staging", "prod-eu", "prod-us")],
            "users": [{"name": "sso", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                "args": ["oidc-login", "get-token", "--oidc-issuer-url=https://issuer.demo.invalid",
                         "--oidc-client-id=kubernetes"], "interactiveMode": "IfAvailable"}}},
                {"name": "ci", "user": {"tokenFile": "ci.token"}}],
            "contexts": [{"name": n, "context": {"cluster": n, "user": "sso", "namespace": ns}}
                         for n, ns in (("dev", "default"), ("staging", "web"), ("prod-eu", "payments"),
                                       ("prod-us", "payments"))]}
    extra = {"apiVersion": "v1", "kind": "Config",
             "clusters": [{"name": "lab", "cluster": {"server": "https://lab.demo.invalid",
                                                      "insecure-skip-tls-verify": True}}],
             "users": [], "contexts": [{"name": "lab", "context": {"cluster": "lab", "user": "ci"}}]}
    first, second = directory / "config", directory / "lab.yaml"
    first.write_text(yaml.safe_dump(main, sort_keys=False))
    second.write_text(yaml.safe_dump(extra, sort_keys=False))
    for p in (first, second):
        p.chmod(0o600)
    return Path(os.pathsep.join([str(first), str(second)]))


def build_demo(directory: Path) -> str:
    """The lead's demo workspace when it exists, else the placeholder; returns a KUBECONFIG value."""
    try:
        from kubewallet.demo import build_demo as lead_build_demo
    except ImportError:
        return str(_placeholder_demo(directory))
    return str(lead_build_demo(directory))


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    parser = argparse.ArgumentParser(prog=f"kubewallet {argv[0]}", description="Open the desktop application.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", action="store_true", help="open a generated demo workspace in a temp folder")
    parser.add_argument("--kubeconfig", metavar="FILE", help="use this file only (as kubectl --kubeconfig)")
    parser.add_argument("--page", metavar="NAME", help="the page to start on (contexts, clusters, users, ...)")
    parser.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv[1:])

    from kubewallet.kubeconfig import LoadingRules

    if args.demo:
        directory = Path(tempfile.mkdtemp(prefix="kubewallet-demo-"))
        os.environ["KUBECONFIG"] = build_demo(directory)
        rules = LoadingRules.from_env()
    else:
        rules = LoadingRules.from_env(args.kubeconfig)

    from kubewallet.gui.app import run

    return run(rules, page=args.page, report_timings=start if args.report_startup else None)
