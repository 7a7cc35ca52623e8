"""``python -m taskpool_client``: the command line."""

from .cli import main

raise SystemExit(main())
