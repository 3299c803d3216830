"""Files in and out, below any model: reading a file within its size limit and decoding it, YAML
with line and column marks (one locating loader over libyaml), the fast reader of everyday audit
files, finding audit files in folders, and writing files atomically (the one way qaudit writes)."""
