"""Shared helpers of the job types: parameter checks, chunked item reads, tabular input, spreadsheet cells."""
