"""The demo lenders: their story, models and simulated borrower responses."""
