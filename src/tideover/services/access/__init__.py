"""Who is calling: staff sign-in with a password, borrowers' one-time codes, API keys."""
