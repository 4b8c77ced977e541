"""HTML → PDF with WeasyPrint, offline: only our own static files may be loaded.

WeasyPrint follows every URL in the HTML it is given (`file://` included), so the fetcher
refuses anything outside the static roots; templates are autoescaped, and the Celery task's
time limit bounds a render that would not end.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)


def static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class StaticOnlyFetcher(URLFetcher):
    """Serves `file:` URLs inside the static roots and `data:` URLs; refuses the rest."""

    def __init__(self) -> None:
        super().__init__(timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = static_roots()

    def fetch(self, url: str, headers=None):
        # Check the path urllib will open: the scheme is case-insensitive and the path
        # percent-decoded (`FILE:`, `%2e%2e/`), so a prefix test on the raw URL is bypassed.
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(url2pathname(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"Refusing to load {url}: outside the static files.")
        return super().fetch(url, headers)


def static_base_url() -> str:
    """Base URL for templates' relative links: the folder holding `css/pdf.css`."""
    found = finders.find("css/pdf.css")
    base = Path(found).parent.parent if found else static_roots()[0]
    return base.as_uri() + "/"


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(
        string=html, base_url=static_base_url(), url_fetcher=StaticOnlyFetcher()
    ).write_pdf()
