"""``python -m livestage`` is the ``livestage`` command."""

from livestage.cli import main

main()
