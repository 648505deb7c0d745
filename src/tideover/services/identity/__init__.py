"""Who acts on a platform: its users, their roles, and the resolution of a name to a user."""
