"""Capturing audits: blank audits, Excel forms to fill in, the guided audit, and the one YAML writer.

Capture sits above reading, scoring and the analytics: it may import the
models, the readers, the scorer and the catalogue of words, never the
renderers or the commands.
"""
