"""Renderers: results and reports as text or bytes, looked up by format name."""
