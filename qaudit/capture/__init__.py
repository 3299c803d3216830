"""Capturing audits: blank Excel forms to fill in (and, in time, the other ways an inspector writes an audit).

Capture sits above reading and scoring: it may import the models, the readers
and the catalogue of words, never the commands.
"""
