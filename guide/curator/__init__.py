"""The curator CMS under /curator/: its shell, navigation and the pages that edit records."""
