"""The append-only audit log of what curators did and what they were refused."""
