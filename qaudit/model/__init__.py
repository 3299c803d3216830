"""The file formats as types, with no I/O: standards, audits, one answer read by its item's type,
``when`` conditions, the validation messages of the models, and how an item is scored, in words."""
