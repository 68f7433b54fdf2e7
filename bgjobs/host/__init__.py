"""The host product: modules of items with fields and a workflow, import templates, demo data, and their pages."""
