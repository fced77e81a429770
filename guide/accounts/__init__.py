"""Curator accounts: users, roles scoped to sites and languages, sessions and second factors."""
