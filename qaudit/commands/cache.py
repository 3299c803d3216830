"""``qaudit cache``: manage the results cache."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from .base import app, emit

cache_app = typer.Typer(help="Manage the results cache (.qaudit/cache.sqlite).", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

PathOpt = Annotated[str, typer.Option("--path", help="Cache file.", metavar="FILE")]


@cache_app.command("clear")
def clear(path: PathOpt = os.path.join(".qaudit", "cache.sqlite")) -> None:
    """Delete the results cache; the next run scores every audit afresh."""
    from ..results.cache import clear as clear_cache

    emit(f"removed {path}\n" if clear_cache(path) else f"no cache at {path}\n")


@cache_app.command("info")
def info(path: PathOpt = os.path.join(".qaudit", "cache.sqlite")) -> None:
    """Say where the cache is, how big it is and how many results it holds."""
    import sqlite3

    if not os.path.exists(path):
        emit(f"no cache at {path}\n")
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            count = db.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error as exc:
        emit(f"{path}: unreadable ({exc}); 'qaudit cache clear' removes it\n")
        raise typer.Exit(1) from None
    emit(f"{path}: {count} cached results, {os.path.getsize(path):,} bytes\n")
