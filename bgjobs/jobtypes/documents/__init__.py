"""Documents for the print and PDF jobs: checking, merging, templates, imposition, file names."""
