"""The stored portfolio: imports, schedules, positions and the delinquency report."""
