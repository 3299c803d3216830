"""Scoring many audit files: one file at a time, every core for a large workspace, the workspace run
and its progress line."""
