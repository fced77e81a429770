"""Static export: every public URL of the guide written to a folder that nginx or a CDN serves as is."""
