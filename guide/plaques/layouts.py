"""Plaque layouts and paper sizes: light enough for the CLI to offer them without the PDF stack."""

PAPERS = {"a6": (105.0, 148.0), "a5": (148.0, 210.0)}
LAYOUTS = ("sheet", "plaque")
