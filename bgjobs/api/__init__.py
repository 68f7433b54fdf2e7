"""The JSON API for scripts: the same rules as the panel."""
