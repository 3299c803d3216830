"""``qaudit init``: a starter workspace to begin from."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from .base import app, guarded


@app.command()
def init(
    folder: Annotated[str, typer.Argument(help="Folder for the workspace (made when missing).", metavar="DIR")] = ".",
) -> None:
    """Write a starter workspace: qaudit.toml, a standard, a sites file and an audits folder with one audit."""
    from ..load.workspace_file import FILE_NAME, init_workspace

    written = guarded(lambda: init_workspace(folder))
    for path in written:
        sys.stderr.write(f"wrote {path}\n")
    where = "" if os.path.abspath(folder) == os.getcwd() else f"cd {folder} && "
    sys.stderr.write(f"a workspace is ready ({os.path.join(folder, FILE_NAME)}); try: {where}qaudit score\n")
