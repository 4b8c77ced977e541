"""Roadmap views by phase; `roadmap/urls.py` names each module."""
