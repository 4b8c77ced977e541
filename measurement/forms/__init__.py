"""Measurement's forms, one module per kind of evidence."""
