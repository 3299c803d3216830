"""``qaudit lint``: every rule of the standard format, with stable rule ids."""

from .engine import LintReport, lint_paths

__all__ = ["LintReport", "lint_paths"]
