"""Risk models: training, scoring, monitoring."""
