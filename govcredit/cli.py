"""The `govcredit` console command: Django management commands with hyphenated names.

``govcredit verify-ledger`` runs the management command ``verify_ledger``; every Django command
(``migrate``, ``runserver`` …) is available under its own name too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcredit.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "govcredit"
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
