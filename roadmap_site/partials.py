"""One view serves the page or, for htmx, one `{% partialdef %}` fragment of it."""

from __future__ import annotations

from roadmap_site.access import OrgRequest


def page_or_partial(request: OrgRequest, template: str, partial: str) -> str:
    """`template` for a normal request, `template#partial` for an htmx one."""
    return f"{template}#{partial}" if request.htmx else template
