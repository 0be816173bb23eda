"""The sanctions tests share :mod:`.helpers` (also used by the project-wide access matrices)."""
