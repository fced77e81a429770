"""The scan dashboard of the CMS: scans per monument, language, channel and day, with CSV export."""
