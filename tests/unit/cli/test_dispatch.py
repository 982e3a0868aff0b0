"""The dispatcher: what a person sees from `kubewallet --help`, `--version` and a typo."""

import subprocess
import sys

from kubewallet import __version__
from kubewallet.cli.main import COMMANDS, main


def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"kubewallet {__version__}"


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"  {name} " in out


def test_unknown_command_exits_2_with_a_hint(capsys):
    assert main(["conifg"]) == 2
    assert "unknown command 'conifg'" in capsys.readouterr().err


def test_the_dispatcher_imports_no_subcommand_and_no_yaml():
    """`kubewallet credential` runs on every kubectl call: the dispatcher itself must stay light."""
    code = ("import sys; import kubewallet.cli.main as m; "
            "heavy = [n for n in ('yaml', 'PySide6', 'argparse', 'json', 'keyring', 'cryptography') "
            "if n in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
