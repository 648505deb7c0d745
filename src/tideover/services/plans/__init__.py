"""Hardship and relief: applications, plan options, offers, acceptance, review, promises."""
