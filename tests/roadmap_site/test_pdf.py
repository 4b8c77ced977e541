"""The PDF renderer's URL fetcher: only our static files and data: URLs, never the network
or the rest of the file system (WeasyPrint follows every URL in the HTML it renders)."""

from __future__ import annotations

import pytest

from roadmap_site.pdf import StaticOnlyFetcher, static_base_url


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://127.0.0.1:1/secret",
        "https://example.com/logo.png",
        "ftp://example.com/file",
    ],
)
def test_fetcher_refuses_files_outside_static_and_network_urls(url):
    with pytest.raises(ValueError, match=r"Refusing|disallowed"):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_refuses_percent_encoded_traversal_out_of_static(settings):
    static = settings.STATICFILES_DIRS[0]
    depth = len(static.resolve().parts)
    url = static.resolve().as_uri() + "/" + "%2e%2e/" * depth + "etc/passwd"
    with pytest.raises(ValueError, match="Refusing"):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_a_static_file(settings):
    css = settings.STATICFILES_DIRS[0] / "css" / "pdf.css"
    response = StaticOnlyFetcher().fetch(css.resolve().as_uri())
    try:
        assert response.read() == css.read_bytes()
    finally:
        response.close()


def test_fetcher_serves_data_urls():
    response = StaticOnlyFetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_pdf_stylesheet_resolves_inside_static():
    assert static_base_url().startswith("file://")
    css = static_base_url() + "css/pdf.css"
    assert StaticOnlyFetcher().fetch(css).read().startswith(b"/*")
