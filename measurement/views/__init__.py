"""Measurement's pages, one module per kind of evidence; `measurement/urls.py` routes them."""
