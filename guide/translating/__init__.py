"""Translation status: which field of which record is missing, outdated or up to date, per language."""
