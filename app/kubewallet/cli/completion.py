"""`kubewallet completion bash|zsh|fish`: shell completion scripts, and the hidden name lister.

The scripts are generated from the command tree (`cli/commandtree.py`), so commands, subcommands,
flags and choices are written into the script as plain `case` tables: pressing TAB runs no
Python at all, except where the answer lives in the kubeconfig (context, cluster, user and
namespace names). There the script runs `kubewallet completion --list KIND [--kubeconfig FILE]`,
which loads the kubeconfig with kubectl's rules (`--kubeconfig` from the command line being
completed, else `$KUBECONFIG`, else `~/.kube/config`) and prints one name per line. It never
prints an error: a broken kubeconfig simply completes nothing.

bash and zsh share one walker (`__kubewallet_walk`, POSIX shell syntax both accept); fish gets
the same walker in its own syntax. The walker skips flags and their values, follows subcommands,
counts positionals, and settles what the word under the cursor is: a subcommand, a flag, a flag's
value, or the Nth positional — and of what kind (see `commandtree.ValueKinds`).
"""

from __future__ import annotations

import os
import sys

EPILOG = """examples:
  source <(kubewallet completion bash)                    # bash, this session
  kubewallet completion bash > ~/.local/share/bash-completion/completions/kubewallet
  kubewallet completion zsh > "${fpath[1]}/_kubewallet"   # zsh (then: compinit)
  kubewallet completion fish > ~/.config/fish/completions/kubewallet.fish

What completes: commands, subcommands, flags and their choices; context names after 'use' and
'shell' (with those of the kubeconfig folders), 'export', 'config use-context' and --context; namespaces (those the contexts name)
after 'ns' and -n; users after 'secure'/'unsecure' and --user; clusters after
'config delete-cluster' and --cluster. Names are read from the kubeconfig at TAB time
(--kubeconfig on the line being completed, else $KUBECONFIG, else ~/.kube/config).
"""

LIST_KINDS = ("contexts", "clusters", "users", "namespaces", "targets")


# ----- the hidden lister -------------------------------------------------------------------------

def list_names(kind: str, kubeconfig: str | None = None) -> list[str]:
    """Names of `kind` in the merged kubeconfig, in file order (first file wins, as kubectl).

    "targets" are what `kubewallet use` and `kubewallet shell` accept: the contexts of the main
    kubeconfig and of the folder files (`~/.kube/config.d`, see kubeconfig/folders.py), labelled
    `FILE/NAME` where a name is in several files."""
    if kind == "targets":
        from kubewallet.kubeconfig.folders import load_catalog

        return load_catalog(kubeconfig).labels
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    ws = load_workspace(LoadingRules.from_env(kubeconfig))
    if kind == "namespaces":
        names = [e.body.get("namespace") for e in ws.contexts.values()]
        unique = dict.fromkeys(n for n in names if isinstance(n, str) and n)
        unique.setdefault("default", None)
        return list(unique)
    return list(ws.entries(kind))


def _list_main(args: list[str]) -> int:
    kind, kubeconfig = (args[0] if args else ""), None
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg == "--kubeconfig" and rest:
            kubeconfig = rest.pop(0)
        elif arg.startswith("--kubeconfig="):
            kubeconfig = arg.partition("=")[2]
    if kind not in LIST_KINDS:
        print(f"error: --list takes one of {', '.join(LIST_KINDS)}", file=sys.stderr)
        return 2
    try:
        names = list_names(kind, kubeconfig or None)
    except Exception:  # noqa: BLE001 - completion must stay silent: a broken file completes nothing
        return 0
    sys.stdout.write("".join(f"{n}\n" for n in names))
    return 0


# ----- tables shared by the generators -----------------------------------------------------------

def _tables(tree) -> dict:
    from kubewallet.cli.commandtree import flag_kind, positional_kinds

    subs: dict[str, list[tuple[str, str]]] = {}
    flags: dict[str, list[tuple[str, str]]] = {}
    value_kinds: dict[tuple[str, str], str] = {}
    pos: dict[tuple[str, str], str] = {}
    for cmd in tree.walk():
        key = cmd.name
        if cmd.subcommands:
            subs[key] = [(s.path[-1], s.summary) for s in cmd.subcommands]
        flags[key] = [(n, f.help) for f in cmd.flags for n in f.names]
        for f in cmd.flags:
            kind = flag_kind(cmd, f)
            if kind:
                for n in f.names:
                    value_kinds[(key, n)] = kind
        kinds = positional_kinds(cmd)
        for i, kind in enumerate(kinds):
            pos[(key, str(i))] = kind
        if kinds and (not cmd.positionals or cmd.positionals[-1].repeats):
            pos[(key, "rest")] = kinds[-1]
    return {"subs": subs, "flags": flags, "value_kinds": value_kinds, "pos": pos}


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _posix_tables(t: dict) -> str:
    """The lookup functions as POSIX `case` tables (bash and zsh read them alike).

    Each sets `__kw_r` instead of printing, so a TAB forks no subshell for them."""
    out = ["__kubewallet_subs() {  # $1: command path -> __kw_r: its subcommands", '  case "$1" in']
    for key, items in t["subs"].items():
        out.append(f'    {_sh_quote(key)}) __kw_r={_sh_quote(" ".join(n for n, _ in items))};;')
    out += ["    *) __kw_r=''; return 1;;", "  esac", "}", ""]
    out += ["__kubewallet_flags() {  # $1: command path -> __kw_r: its flags", '  case "$1" in']
    for key, items in t["flags"].items():
        if items:
            out.append(f'    {_sh_quote(key)}) __kw_r={_sh_quote(" ".join(n for n, _ in items))};;')
    out += ["    *) __kw_r='';;", "  esac", "}", ""]
    out += ["__kubewallet_value_kind() {  # $1: path, $2: flag -> __kw_r: kind; status 1: takes no value",
            '  case "$1|$2" in']
    for (key, flag), kind in t["value_kinds"].items():
        out.append(f'    {_sh_quote(f"{key}|{flag}")}) __kw_r={_sh_quote(kind)};;')
    out += ["    *) __kw_r=''; return 1;;", "  esac", "}", ""]
    out += ["__kubewallet_pos_kind() {  # $1: path, $2: index -> __kw_r: kind of that positional",
            '  case "$1|$2" in']
    for (key, index), kind in t["pos"].items():
        out.append(f'    {_sh_quote(f"{key}|{index}")}) __kw_r={_sh_quote(kind)};;')
    out += ["    *) __kw_r=''; return 1;;", "  esac", "}", ""]
    out += ["__kubewallet_describe() {  # $1: path -> __kw_r: 'name:summary' lines (zsh)", '  case "$1" in']
    for key, items in t["subs"].items():
        lines = "\n".join(f"{n}:{s}" for n, s in items)
        out.append(f"    {_sh_quote(key)}) __kw_r={_sh_quote(lines)};;")
    out += ["    *) __kw_r='';;", "  esac", "}"]
    return "\n".join(out) + "\n"


# The walker: POSIX syntax, run by bash and by zsh. Arguments: the words up to and including the
# one under the cursor. Results in __kw_mode (subs|flags|value), __kw_kind, __kw_prefix (text the
# candidates must start with, e.g. "--output="), __kw_cur, __kw_path and __kw_kubeconfig.
_WALKER = r'''
__kubewallet_walk() {
  __kw_path='' __kw_mode='' __kw_kind='' __kw_prefix='' __kw_kubeconfig='' __kw_npos=0
  local w
  shift
  while [ $# -gt 1 ]; do
    w=$1; shift
    case $w in
      --kubeconfig=*) __kw_kubeconfig=${w#*=};;
      --*=*) ;;
      --) ;;
      -?*)
        if __kubewallet_value_kind "$__kw_path" "$w"; then
          if [ $# -eq 1 ]; then __kw_mode=value; __kw_kind=$__kw_r; break; fi
          [ "$w" = --kubeconfig ] && __kw_kubeconfig=$1
          shift
        fi;;
      *)
        if [ "$__kw_npos" -eq 0 ] && __kubewallet_subs "$__kw_path" \
           && case " $__kw_r " in *" $w "*) true;; *) false;; esac; then
          __kw_path=${__kw_path:+$__kw_path }$w
        else
          __kw_npos=$((__kw_npos + 1))
        fi;;
    esac
  done
  __kw_cur=${1-}
  [ -n "$__kw_mode" ] && return 0
  case $__kw_cur in
    --*=*)
      __kw_mode=value; __kw_prefix=${__kw_cur%%=*}=; __kw_cur=${__kw_cur#*=}
      __kubewallet_value_kind "$__kw_path" "${__kw_prefix%=}" || __kw_r=any
      __kw_kind=$__kw_r;;
    -*) __kw_mode=flags;;
    *)
      if [ "$__kw_npos" -eq 0 ] && __kubewallet_subs "$__kw_path"; then
        __kw_mode=subs
      else
        __kw_mode=value
        __kubewallet_pos_kind "$__kw_path" "$__kw_npos" || __kubewallet_pos_kind "$__kw_path" rest \
          || __kw_r=any
        __kw_kind=$__kw_r
      fi;;
  esac
}
'''

_BASH_DRIVER = r'''
_kubewallet() {
  local -a words candidates names
  local line n word bashcur strip prog
  local __kw_r __kw_path __kw_mode __kw_kind __kw_prefix __kw_kubeconfig __kw_npos __kw_cur
  if [[ -n ${COMP_LINE-} ]]; then
    # Re-split the line on blanks only: bash splits COMP_WORDS at ':' and '=' as well, which
    # would cut an EKS context name (arn:aws:eks:...) or --output=json into pieces.
    line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
    read -r -a words <<< "$line"
    [[ -z $line || $line == *[[:blank:]] ]] && words+=("")
  else
    words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
  fi
  __kubewallet_walk "${words[@]}"
  prog=${words[0]}
  COMPREPLY=()
  case $__kw_mode in
    subs) __kubewallet_subs "$__kw_path"; candidates=($__kw_r);;
    flags) __kubewallet_flags "$__kw_path"; candidates=($__kw_r);;
    value)
      case $__kw_kind in
        contexts|clusters|users|namespaces|targets)
          mapfile -t names < <("$prog" completion --list "$__kw_kind" \
                               ${__kw_kubeconfig:+--kubeconfig "$__kw_kubeconfig"} 2>/dev/null)
          candidates=("${names[@]}");;
        choices:*) candidates=(${__kw_kind#choices:});;
        files)
          compopt -o filenames 2>/dev/null
          mapfile -t candidates < <(compgen -f -- "$__kw_cur");;
      esac;;
  esac
  for n in "${candidates[@]}"; do
    [[ $n == "$__kw_cur"* ]] && COMPREPLY+=("$__kw_prefix$n")
  done
  # bash replaces only its own current word (the text after the last ':' or '='): drop what
  # comes before it from each candidate.
  bashcur=${COMP_WORDS[COMP_CWORD]-}
  word=$__kw_prefix$__kw_cur
  if [[ -n ${COMP_WORDS+set} && $word == *"$bashcur" ]]; then
    strip=${word%"$bashcur"}
    [[ -n $strip ]] && COMPREPLY=("${COMPREPLY[@]#"$strip"}")
  fi
  return 0
}
complete -o default -F _kubewallet kubewallet kubectl-wallet

# `kw` (eval "$(kubewallet use --shell-function bash)") completes as `kubewallet use`.
_kubewallet_kw() {
  local COMP_LINE="kubewallet use${COMP_LINE:2}" COMP_POINT=$(( ${COMP_POINT:-${#COMP_LINE}} + 12 ))
  _kubewallet
}
complete -F _kubewallet_kw kw
'''

_ZSH_DRIVER = r'''
_kubewallet() {
  emulate -L zsh
  setopt localoptions noshwordsplit
  local __kw_r __kw_path __kw_mode __kw_kind __kw_prefix __kw_kubeconfig __kw_npos __kw_cur
  local -a described names choices
  __kubewallet_walk "${(@)words[1,CURRENT]}"
  case $__kw_mode in
    subs)
      __kubewallet_describe "$__kw_path"
      described=("${(@f)__kw_r}")
      _describe -t commands 'command' described;;
    flags)
      __kubewallet_flags "$__kw_path"
      compadd -- ${=__kw_r};;
    value)
      case $__kw_kind in
        contexts|clusters|users|namespaces|targets)
          names=("${(@f)$(${words[1]} completion --list $__kw_kind \
                  ${__kw_kubeconfig:+--kubeconfig} ${__kw_kubeconfig:+$__kw_kubeconfig} 2>/dev/null)}")
          compadd -P "$__kw_prefix" -- ${names:#};;
        choices:*)
          choices=(${=__kw_kind#choices:})
          compadd -P "$__kw_prefix" -- $choices;;
        files) _files -P "$__kw_prefix";;
      esac;;
  esac
}
# Autoloaded from $fpath (file _kubewallet), zsh runs this file as the function itself on the first
# TAB: complete right away. Sourced (source <(kubewallet completion zsh)), register it.
# `kw` (eval "$(kubewallet use --shell-function zsh)") completes as `kubewallet use`.
_kubewallet_kw() {
  words=(kubewallet use "${(@)words[2,-1]}")
  (( CURRENT++ ))
  _kubewallet
}
if [ "${funcstack[1]-}" = "_kubewallet" ]; then
  _kubewallet "$@"
else
  compdef _kubewallet kubewallet kubectl-wallet
  compdef _kubewallet_kw kw
fi
'''


def bash_script(tree) -> str:
    return ("# bash completion for kubewallet (generated by 'kubewallet completion bash')\n"
            + _posix_tables(_tables(tree)) + _WALKER + _BASH_DRIVER)


def zsh_script(tree) -> str:
    return ("#compdef kubewallet kubectl-wallet\n"
            "# zsh completion for kubewallet (generated by 'kubewallet completion zsh')\n"
            + _posix_tables(_tables(tree)) + _WALKER + _ZSH_DRIVER)


# ----- fish --------------------------------------------------------------------------------------

def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(tree) -> str:
    t = _tables(tree)
    out = ["# fish completion for kubewallet (generated by 'kubewallet completion fish')", ""]
    out += ["function __kubewallet_subs --argument-names p", "    switch $p"]
    for key, items in t["subs"].items():
        out += [f"        case {_fish_quote(key)}"]
        out += [f"            printf '%s\\t%s\\n' {_fish_quote(n)} {_fish_quote(s)}" for n, s in items]
    out += ["        case '*'", "            return 1", "    end", "end", ""]
    out += ["function __kubewallet_flags --argument-names p", "    switch $p"]
    for key, items in t["flags"].items():
        if items:
            out += [f"        case {_fish_quote(key)}"]
            out += [f"            printf '%s\\t%s\\n' {_fish_quote(n)} {_fish_quote(h)}" for n, h in items]
    out += ["    end", "end", ""]
    out += ["function __kubewallet_value_kind --argument-names p f", '    switch "$p|$f"']
    for (key, flag), kind in t["value_kinds"].items():
        out += [f"        case {_fish_quote(f'{key}|{flag}')}", f"            echo {_fish_quote(kind)}"]
    out += ["        case '*'", "            return 1", "    end", "end", ""]
    out += ["function __kubewallet_pos_kind --argument-names p i", '    switch "$p|$i"']
    for (key, index), kind in t["pos"].items():
        out += [f"        case {_fish_quote(f'{key}|{index}')}", f"            echo {_fish_quote(kind)}"]
    out += ["        case '*'", "            return 1", "    end", "end", ""]
    out.append(_FISH_DRIVER)
    return "\n".join(out)


_FISH_DRIVER = r'''function __kubewallet_candidates
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l p ''
    set -l npos 0
    set -l kcfg ''
    set -l mode ''
    set -l kind ''
    set -l prefix ''
    set -l k ''
    set -l i 2
    while test $i -le (count $words)
        set -l w $words[$i]
        set i (math $i + 1)
        switch $w
            case '--kubeconfig=*'
                set kcfg (string replace -- '--kubeconfig=' '' $w)
            case '--*=*' '--'
            case '-?*'
                if set k (__kubewallet_value_kind "$p" $w)
                    if test $i -le (count $words)
                        test "$w" = --kubeconfig; and set kcfg $words[$i]
                        set i (math $i + 1)
                    else
                        set mode value
                        set kind $k
                    end
                end
            case '*'
                if test $npos -eq 0; and contains -- $w (__kubewallet_subs "$p" | string replace -r '\t.*' '')
                    set p (string trim -- "$p $w")
                else
                    set npos (math $npos + 1)
                end
        end
    end
    if test -z "$mode"
        if string match -q -- '--*=*' $cur
            set prefix (string replace -r '=.*' '=' -- $cur)
            set cur (string replace -r '^[^=]*=' '' -- $cur)
            set mode value
            set kind (__kubewallet_value_kind "$p" (string trim -r -c = -- $prefix)); or set kind any
        else if string match -q -- '-*' $cur
            set mode flags
        else if test $npos -eq 0; and __kubewallet_subs "$p" >/dev/null
            set mode subs
        else
            set mode value
            set kind (__kubewallet_pos_kind "$p" $npos); or set kind (__kubewallet_pos_kind "$p" rest); or set kind any
        end
    end
    switch $mode
        case subs
            __kubewallet_subs "$p"
        case flags
            __kubewallet_flags "$p"
        case value
            switch $kind
                case contexts clusters users namespaces targets
                    set -l args completion --list $kind
                    test -n "$kcfg"; and set args $args --kubeconfig $kcfg
                    for n in ($words[1] $args 2>/dev/null)
                        echo "$prefix$n"
                    end
                case 'choices:*'
                    for n in (string split ' ' -- (string replace 'choices:' '' -- $kind))
                        echo "$prefix$n"
                    end
                case files
                    for n in (__fish_complete_path $cur)
                        echo "$prefix$n"
                    end
            end
    end
end

complete -c kubewallet -f -a '(__kubewallet_candidates)'
complete -c kubectl-wallet -f -a '(__kubewallet_candidates)'
# `kw` (kubewallet use --shell-function fish | source) completes as `kubewallet use`.
complete -c kw -f -a '(kubewallet completion --list targets 2>/dev/null)'
'''


# ----- kubectl's plugin completion (kubectl wallet <TAB>) --------------------------------------

# Cobra's completion directives, which kubectl expects on the last line (`:N`).
DIRECTIVE_DEFAULT, DIRECTIVE_NO_FILES = 0, 4


def _cached_tables() -> dict:
    """The completion tables, cached per version and per state of the command modules.

    Building the tree imports every command module (about 0.12 s); kubectl runs
    `kubectl_complete-wallet` afresh for each TAB, so the tables are kept as JSON under
    `$XDG_CACHE_HOME/kubewallet/`, keyed by the version and the size and mtime of the command
    modules (of the executable in a bundle, where the modules live inside an archive)."""
    import hashlib
    import json
    from pathlib import Path

    from kubewallet import __version__

    here = Path(__file__).resolve().parent
    stamps = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(here.glob("*.py"))]
    if not stamps:
        exe = Path(sys.executable)
        stamps = [(str(exe), exe.stat().st_mtime_ns, exe.stat().st_size)]
    key = hashlib.sha256(repr((__version__, stamps)).encode()).hexdigest()[:16]
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(cache_home) / "kubewallet" / f"completion-{key}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {"subs": raw["subs"], "flags": raw["flags"],
                "value_kinds": {tuple(k.split("|", 1)): v for k, v in raw["value_kinds"].items()},
                "pos": {tuple(k.split("|", 1)): v for k, v in raw["pos"].items()}}
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    from kubewallet.cli.commandtree import build_tree

    t = _tables(build_tree())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"subs": t["subs"], "flags": t["flags"],
                                   "value_kinds": {"|".join(k): v for k, v in t["value_kinds"].items()},
                                   "pos": {"|".join(k): v for k, v in t["pos"].items()}}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass   # a read-only home: no cache, same answers
    return t


def complete(words: list[str]) -> tuple[list[str], int]:
    """The same walk as the shell scripts, in Python: `words` are the arguments after
    `kubewallet` (the last one is the word being completed). Returns candidates (cobra style,
    `name\tdescription`) and the directive: file completion only where a file is expected."""
    t = _cached_tables()
    words = words or [""]
    path, npos, kubeconfig, kind, prefix = "", 0, None, None, ""
    rest, cur = words[:-1], words[-1]
    i = 0
    while i < len(rest):
        w = rest[i]
        i += 1
        if w.startswith("--kubeconfig="):
            kubeconfig = w.partition("=")[2]
        elif (w.startswith("--") and "=" in w) or w == "--":
            continue
        elif w.startswith("-") and len(w) > 1:
            flag_kind = t["value_kinds"].get((path, w))
            if flag_kind:
                if i == len(rest):
                    kind = flag_kind
                    break
                if w == "--kubeconfig":
                    kubeconfig = rest[i]
                i += 1
        elif npos == 0 and w in [n for n, _ in t["subs"].get(path, [])]:
            path = f"{path} {w}".strip()
        else:
            npos += 1
    if kind is None:
        if cur.startswith("--") and "=" in cur:
            flag, _, cur = cur.partition("=")
            prefix, kind = flag + "=", t["value_kinds"].get((path, flag), "any")
        elif cur.startswith("-"):
            return [f"{n}\t{h}" if h else n for n, h in t["flags"].get(path, []) if n.startswith(cur)], DIRECTIVE_NO_FILES
        elif npos == 0 and path in t["subs"]:
            return [f"{n}\t{h}" if h else n for n, h in t["subs"][path] if n.startswith(cur)], DIRECTIVE_NO_FILES
        else:
            kind = t["pos"].get((path, str(npos))) or t["pos"].get((path, "rest")) or "any"
    if kind == "files":
        return [], DIRECTIVE_DEFAULT
    if kind in LIST_KINDS:
        try:
            names = list_names(kind, kubeconfig)
        except Exception:  # noqa: BLE001 - completion stays silent
            names = []
    elif kind.startswith("choices:"):
        names = kind.removeprefix("choices:").split()
    else:
        names = []
    return [prefix + n for n in names if n.startswith(cur)], DIRECTIVE_NO_FILES


def kubectl_complete(argv: list[str] | None = None) -> int:
    """`kubectl_complete-wallet`: kubectl (1.26+) runs it for `kubectl wallet <TAB>` with the words
    after `wallet`, and reads cobra's format: one candidate per line, then `:DIRECTIVE`."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        candidates, directive = complete(args)
    except Exception:  # noqa: BLE001 - never a traceback in the middle of someone's prompt
        candidates, directive = [], DIRECTIVE_NO_FILES
    sys.stdout.write("".join(f"{c}\n" for c in candidates) + f":{directive}\n")
    return 0


# ----- the command -------------------------------------------------------------------------------

SCRIPTS = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}


def main(argv: list[str]) -> int:
    args = argv[1:]
    if args[:1] == ["--list"]:
        return _list_main(args[1:])
    import argparse

    from kubewallet.errors import UsageError

    parser = argparse.ArgumentParser(prog=f"kubewallet {argv[0]}",
                                     description="Print a shell completion script.", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shell", choices=sorted(SCRIPTS), help="the shell to complete for")
    opts = parser.parse_args(args)
    if opts.shell not in SCRIPTS:
        raise UsageError(f"no completion for {opts.shell!r}")
    from kubewallet.cli.commandtree import build_tree

    sys.stdout.write(SCRIPTS[opts.shell](build_tree()))
    return 0
