"""The Background Jobs panel: its pages, fragments, the cheap poll and the row actions."""
