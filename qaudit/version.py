"""qaudit's version: the one place it is written (the package, the cache salt and SARIF logs read it)."""

__version__ = "0.1.0"
