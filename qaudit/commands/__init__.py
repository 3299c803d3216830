"""CLI commands beyond the core ones, one module per group, registered on import.

``base`` (the Typer app, output and failures) and ``options`` (shared option types and
workspace defaults) are what every command imports; a command never imports :mod:`qaudit.cli`.

Every module here is imported when the CLI starts, so each must import only
typer and the standard library at module level (heavy imports go inside the
command functions).
"""
