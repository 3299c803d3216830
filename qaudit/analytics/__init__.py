"""What results say together and over time: site histories, follow-up actions, trends, failed items,
inspector calibration, rescoring against another version of a standard."""
