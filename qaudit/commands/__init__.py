"""CLI commands beyond the core ones, one module per group, registered on import.

Every module here is imported when the CLI starts, so each must import only
typer and the standard library at module level (heavy imports go inside the
command functions).
"""
