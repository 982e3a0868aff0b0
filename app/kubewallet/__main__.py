"""`python -m kubewallet`: the same as the `kubewallet` command."""

from kubewallet.cli.main import main

raise SystemExit(main())
