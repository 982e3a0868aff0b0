"""`config view -o jsonpath=...` against the real kubectl: the expressions people put in scripts,
its errors, and hypothesis generating expressions with kubectl as the oracle.

Go walks a map in random order, so for an expression that iterates a map (`.*`, `..`) kubectl's
own output varies between runs; those are compared as the sorted list of their words, every
other expression byte for byte (stdout, stderr and exit status).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from tests.integration.kubeconfig_diff.configs import EXOTIC, NON_ASCII, ODD_STRINGS, PKI, PKI_HOME, SINGLE
from tests.integration.kubeconfig_diff.harness import Scenario, run_tool
from tests.integration.kubeconfig_diff.scenarios import ids

ONE = {"home/.kube/config": SINGLE, **PKI, **PKI_HOME}
EXEC_USERS = {"home/.kube/config": SINGLE.replace("users:\n", """users:
- name: sso
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubewallet
      args: [oidc-login, get-token, --oidc-issuer-url=https://idp.example]
      env:
      - {name: A, value: "1"}
      provideClusterInfo: true
- name: basic
  user: {username: admin, password: s3cret}
""", 1), **PKI, **PKI_HOME}


def JP(id: str, files: dict, *commands: tuple[str, ...] | str) -> Scenario:
    """A scenario of `config view` commands; a string is one `-o jsonpath=` template."""
    argvs = tuple(("view", "-o", f"jsonpath={c}") if isinstance(c, str) else ("view", *c) for c in commands)
    return Scenario(id, dict(files), argvs)


SCRIPT_EXPRESSIONS = (
    "{.current-context}",
    "{.contexts[*].name}",
    "{.clusters[*].cluster.server}",
    '{.contexts[?(@.name=="dev")].context.namespace}',
    "{.contexts[?(@.name=='prod')].context.cluster}",
    '{.users[?(@.name=="bob")].user.token}',
    '{range .contexts[*]}{.name}{"\\t"}{.context.cluster}{"\\t"}{.context.namespace}{"\\n"}{end}',
    "{range .users[*]}{.name}{'\\n'}{end}",
    "{.users[?(@.user.token)].name}",
    "{.contexts[?(@.context.namespace)].name}",
    '{.contexts[?(@.name!="dev")].name}',
    '{.contexts[?(@.name<"e")].name} {.contexts[?(@.name>"e")].name}',
    "{.contexts[-1].name} {.contexts[-1:].name} {.contexts[0:1].name} {.contexts[:1].name} {.contexts[::2].name}",
    "{.contexts[*]['name','context']}",
    "{$.kind} {@.apiVersion} {$}",
    "{.clusters[0]}",
    "{.clusters}",
    "server={.clusters[0].cluster.server} done",
    "{\"it's\"} {'say \"hi\"'} {\"tab\\there\"}",
    "{.nope} {.clusters[0].cluster.nope}[{.preferences}]",
    "{range .contexts[*]}{.name};",
    "{.kind.*}",
    "{.clusters[0].cluster.certificate-authority-data}",
    "{.users[?(@.name==\"alice\")].user.client-key-data}",
    "{.clusters[?(@.cluster.insecure-skip-tls-verify==true)].name}",
    "{true} {false} {42} {-1} {2.5}",
    "{.contexts[0].context.cluster}/{.contexts[1].context.cluster}",
    "{.users[0].user.exec}",
)

ERRORS = (
    "{.clusters[9]}", "x{", "{.contexts[*].name", "{end}", "{foo}", "{.contexts[?(@.name>1)].name}",
    "{..*}", "{[x]}", '{"\\q"}', "{.contexts[1:0]}", "{.contexts[::0]}", "{.kind[0]}", "{.kind[?(@.x)]}",
    "{.contexts[?(@.name==\"dev\"}", "{'unterminated}", "{.contexts[?(@.name=~\"d\")].name}",
    "{.contexts[0]['a','b'}", "{.contexts[a:b]}", "{1.2.3}", "{-}", "{.a|b}",
)

SCENARIOS = [
    JP("scripts", ONE, *SCRIPT_EXPRESSIONS),
    JP("scripts-minify", ONE, *(("--minify", "-o", f"jsonpath={e}") for e in SCRIPT_EXPRESSIONS[:12])),
    JP("scripts-raw", ONE, *(("--raw", "-o", f"jsonpath={e}") for e in SCRIPT_EXPRESSIONS)),
    JP("scripts-raw-minify", ONE, ("--minify", "--raw", "-o", "jsonpath={.users[0].user.client-certificate}"),
       ("--minify", "--raw", "-o", "jsonpath={.users[0].user.client-key-data}"),
       ("--minify", "--context=prod", "--raw", "-o", "jsonpath={.clusters[0].cluster.certificate-authority}")),
    JP("scripts-flatten", ONE, ("--flatten", "--minify", "-o", "jsonpath={.clusters[0].cluster.certificate-authority-data}"),
       ("--flatten", "-o", "jsonpath={.users[?(@.name==\"carol\")].user.client-key-data}"),
       ("--flatten", "--minify", "--context=prod", "-o", "jsonpath={.users[0].user}")),
    JP("exec-and-basic-users", EXEC_USERS, "{.users[?(@.name==\"sso\")].user.exec.args[*]}",
       "{range .users[*]}{.name}:{range .user.exec.args[*]}[{@}]{end};{end}",
       "{.users[?(@.name==\"basic\")].user.password}", ("--raw", "-o", "jsonpath={.users[?(@.name==\"basic\")].user.password}"),
       "{.users[?(@.user.exec.provideClusterInfo==true)].name}", "{range .users[*].user.exec.env}[{@}]{end}",
       "{.users[0].user.exec.env[0]}"),
    JP("as-json", ONE, ("-o", "jsonpath-as-json={.contexts[*].name}"), ("-o", "jsonpath-as-json={.clusters}"),
       ("-o", "jsonpath-as-json={range .contexts[*]}{.name}{end}"), ("-o", "jsonpath-as-json=x{.nope}y"),
       ("-o", "jsonpath-as-json={.current-context}{\"\\n\"}"), ("--raw", "-o", "jsonpath-as-json={.users[0]}")),
    JP("template-file-and-flag", {**ONE, "t.jsonpath": "{range .contexts[*]}{.name}\n{end}",
                                  "t2.jsonpath": "ctx={.current-context}\n"},
       ("-o", "jsonpath-file=t.jsonpath"), ("-o", "jsonpath-file={dir}/t2.jsonpath"),
       ("-o", "jsonpath", "--template", "{.current-context}"), ("-o", "jsonpath-file", "--template=t.jsonpath"),
       ("-o", "jsonpath-file=missing.jsonpath"), ("-o", "jsonpath"), ("-o", "jsonpath="),
       ("-o", "jsonpath=x", "--template", "{.kind}"), ("-o", "jsonpathx={.kind}")),
    JP("missing-keys", ONE, ("--allow-missing-template-keys=false", "-o", "jsonpath={.nope}"),
       ("--allow-missing-template-keys=false", "-o", "jsonpath={.contexts[*].context.namespace}"),
       ("--allow-missing-template-keys=true", "-o", "jsonpath={.nope}"),
       ("--allow-missing-template-keys", "-o", "jsonpath={.current-context}")),
    JP("errors", ONE, *ERRORS),
    JP("errors-minify", ONE, *(("--minify", "-o", f"jsonpath={e}") for e in ERRORS[:6])),
    JP("non-ascii", {"home/.kube/config": NON_ASCII}, "{.contexts[*].name}", "{.current-context}",
       "{.contexts[?(@.name==\"café\")].context.namespace}", "{.clusters}", "{.clusters[9]}"),
    JP("odd-strings", {"home/.kube/config": ODD_STRINGS}, "{.users[0].user.as-groups}",
       "{.users[0].user.as-groups[*]}", "{.clusters[0].cluster.server}", "{.users}",
       ("-o", "jsonpath-as-json={.users[0].user.as-groups}"), ("--raw", "-o", "jsonpath={.users[0].user.username}")),
    JP("numbers-and-nulls", {"home/.kube/config": EXOTIC}, "{.preferences.extensions[0].extension}",
       "{.preferences.extensions[0].extension.z}", "{.preferences.extensions[0].extension.a[1]}",
       "{.extensions[0].extension}", "{.extensions}", "{.users[?(@.name==\"ex\")].user.exec}",
       "{.preferences.extensions[0].extension.a[?(@.y)]}", "{.extensions[9]}",
       ("-o", "jsonpath-as-json={.preferences.extensions[0].extension}")),
    JP("empty-config", {}, "{.current-context}", "{.clusters}", "{.clusters[0]}", "{range .clusters[*]}x{end}"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=ids(SCENARIOS))
def test_jsonpath_matches_kubectl(differ, scenario):
    differ(scenario)


MAP_WALKS = ("{..name}", "{.clusters[0].cluster.*}", "{..server}", "{range .contexts[*]}{range .context.*}{@},{end};{end}",
             "{.users[?(@.user.exec)].user.exec.*}", "{..args[0]}", "{.*}", "{...name}")


DUMP = "\tobject given to jsonpath engine was:"


def _words(text: str) -> list[str]:
    """The output's words in sorted order (separators: whitespace and the generated literals)."""
    return sorted(re.split(r"[\s,;=-]+", text))


@pytest.fixture
def unordered(tmp_path, kubectl, kubewallet_cmd, pki_subs):
    """Run one `config view ...` under both tools; compare status, stderr and the sorted words of
    stdout (the order of a map walk is random in kubectl).

    Two known differences are checked for what they are: under --raw the object dumped by an
    error is the redacted view (kubectl's holds the secrets), so stderr is compared up to the
    dump; where kubectl panics (reflect.Value.Type on a zero Value: an array index or filter in
    a range over nothing) ours fails with one `error:` message and exit 1.
    """
    def run(files: dict, argv: tuple[str, ...]):
        scenario = Scenario("unordered", dict(files), (argv,))
        out = {}
        for name, tool in (("kubectl", [kubectl]), ("kubewallet", kubewallet_cmd)):
            workdir = tmp_path / name / "w"
            out[name] = run_tool(tool, workdir, tmp_path / name / "state", scenario,
                                 {"{dir}": str(workdir), **pki_subs}).runs[0]
        ref, ours = out["kubectl"], out["kubewallet"]
        if ref.stderr.startswith("panic:"):
            assert ours.status == 1 and ours.stderr.startswith("error: error executing jsonpath"), (argv, ours)
            assert "Traceback" not in ours.stderr
            return ref, ours
        if "--raw" in argv and DUMP in ref.stderr:
            assert ours.stderr.split(DUMP)[0] == ref.stderr.split(DUMP)[0], (argv, ref.stderr, ours.stderr)
            assert ours.status == ref.status
        else:
            assert (ours.status, ours.stderr) == (ref.status, ref.stderr), (argv, ref, ours)
        assert _words(ours.stdout) == _words(ref.stdout), (argv, ref.stdout, ours.stdout)
        return ref, ours
    return run


@pytest.mark.parametrize("expression", MAP_WALKS)
def test_map_walks_match_kubectl_up_to_order(unordered, expression):
    unordered(EXEC_USERS, ("view", "-o", f"jsonpath={expression}"))


def test_raw_error_dump_keeps_secrets_out(unordered):
    """kubectl dumps the whole object, secrets included, when a template fails under --raw: the
    same message here, with the redacted view as the dump."""
    ref, ours = unordered(EXEC_USERS, ("view", "--raw", "-o", "jsonpath={.users[9]}"))
    assert ref.status == 1 and "s3cret" in ref.stderr and "bob-token" in ref.stderr
    assert "s3cret" not in ours.stderr and "bob-token" not in ours.stderr
    assert '"token":"REDACTED"' in ours.stderr


def test_kubectl_panic_is_a_clear_error_here(unordered):
    ref, ours = unordered(EXEC_USERS, ("view", "-o", "jsonpath={range .nope[*]}{@[0]}{end}"))
    assert ref.stderr.startswith("panic:")
    assert "<invalid reflect.Value> is not array or slice" in ours.stderr


# ----- hypothesis: generated expressions, kubectl as the oracle ---------------------------------

ROOTS = st.sampled_from(["", "$", "@"])
SELECTORS = st.sampled_from([
    "[*]", "[0]", "[1]", "[-1]", "[1:]", "[:1]", "[-2:]", "[0:3:2]", "[5]", "[2:1]", "[::-1]",
    '[?(@.name=="dev")]', "[?(@.name!='prod')]", '[?(@.name<"c")]', '[?(@.name>"c")]', "[?(@.name)]",
    "[?(@.user.token)]", "[?(@.context.namespace)]", "[?(@.cluster.server=='https://dev.example:6443')]",
])
TAILS = {
    ".clusters": ["", ".name", ".cluster", ".cluster.server", ".cluster.tls-server-name",
                  ".cluster.certificate-authority-data", ".cluster.certificate-authority", ".cluster.*",
                  "['name','cluster']"],
    ".users": ["", ".name", ".user", ".user.token", ".user.exec.args", ".user.exec.args[*]", ".user.exec.env[0].value",
               ".user.client-key-data", ".user.password", ".user.exec.provideClusterInfo", "..command"],
    ".contexts": ["", ".name", ".context", ".context.namespace", ".context.cluster", ".context.*",
                  "['name']", ".context['user','cluster']"],
}
OTHER = st.sampled_from([".current-context", ".kind", ".apiVersion", ".preferences", "..name", "..server",
                         ".kind.*", ".kind[0]", ".nope", "", ".clusters[0].nope.x", ".*"])
LITERALS = st.sampled_from(['{"\\n"}', "{'\\t'}", " ", ",", "=", "{\"x y\"}", "-", "{'it''s'}", ""])


@st.composite
def paths(draw) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(ROOTS) + draw(OTHER)
    top = draw(st.sampled_from(sorted(TAILS)))
    return draw(ROOTS) + top + draw(SELECTORS) + draw(st.sampled_from(TAILS[top]))


@st.composite
def expressions(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["plain", "plain", "range", "range-open"]))
        if kind == "plain":
            parts.append("{" + draw(paths()) + "}")
        else:
            top = draw(st.sampled_from(sorted(TAILS)))
            inner = draw(st.sampled_from(TAILS[top] + ["[0]", "[?(@.x)]"]))
            body = "{@" + inner + "}" + draw(LITERALS)
            parts.append("{range " + draw(ROOTS) + top + draw(SELECTORS) + "}" + body
                         + ("{end}" if kind == "range" else ""))
        parts.append(draw(LITERALS))
    return "".join(parts)


FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(expression=expressions(), fmt=st.sampled_from(["jsonpath", "jsonpath", "jsonpath-as-json"]),
       flags=st.sampled_from([(), ("--raw",), ("--minify",)]))
def test_generated_expressions_match_kubectl(unordered, expression, fmt, flags):
    argv = ("view", *flags, "-o", f"{fmt}={expression}")
    if ".*" in expression or ".." in expression:
        unordered(EXEC_USERS, argv)
        return
    ref, ours = unordered(EXEC_USERS, argv)
    assert ours.stdout == ref.stdout, (argv, ref.stdout, ours.stdout)


@pytest.mark.parametrize("output", ["go-template={{.kind}}", "template={{.kind}}", "go-template-file=t.tmpl"])
def test_go_templates_are_refused_naming_jsonpath(tmp_path, kubewallet_cmd, output):
    import subprocess

    config = tmp_path / "config"
    config.write_text(SINGLE)
    proc = subprocess.run([*kubewallet_cmd, "config", "view", "--kubeconfig", str(config), "-o", output],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("error: output format ") and "jsonpath='{.current-context}'" in proc.stderr
    proc = subprocess.run([*kubewallet_cmd, "config", "view", "--kubeconfig", str(config), "--template", "{{.kind}}"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1 and "go-template" in proc.stderr and "jsonpath" in proc.stderr
