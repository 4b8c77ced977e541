"""URL sources against a real HTTP server on 127.0.0.1: fetching, caps, content types,
retries, and the server-side request forgery guard on every redirect hop."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import Retry

from measurement import fetch, sources, tasks
from measurement.models import ImportRun, KpiValue, MetricSource, RunStatus
from tests.factories import KpiFactory

pytestmark = pytest.mark.django_db

CSV = b"date,value\n2026-05-01,10\n2026-05-02,11\n"


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []  # (path, X-Api-Key) of every request
    sent = 0  # bytes of /huge.csv the server managed to send

    def do_GET(self):
        Handler.seen.append((self.path, self.headers.get("X-Api-Key", "")))
        port = self.server.server_address[1]
        if self.path == "/data.csv":
            self._send(200, "text/csv; charset=utf-8", CSV)
        elif self.path == "/page.html":
            self._send(200, "text/html", b"<html></html>")
        elif self.path == "/big.csv":  # no Content-Length: the cap must stop the stream
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(b"date,value\n" + b"2026-05-01,1\n" * 2000)
        elif self.path == "/huge.csv":  # 5 MB, no Content-Length; notes how much got out
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            Handler.sent = 0
            try:
                self.wfile.write(b"date,value\n")
                for _ in range(400):
                    self.wfile.write(b"2026-05-01,1\n" * 1000)
                    Handler.sent += 13_000
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/to-local":
            self._redirect(f"http://127.0.0.1:{port}/data.csv")
        elif self.path.startswith("/loop"):
            self._redirect(f"/loop{len(self.path)}")
        elif self.path.startswith("/to-port-"):
            self._redirect(f"http://127.0.0.1:{self.path.removeprefix('/to-port-')}/data.csv")
        elif self.path == "/down":
            self._send(503, "text/plain", b"down")
        else:
            self._send(404, "text/plain", b"no")

    def _send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.protocol_version = "HTTP/1.0"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allow_private(settings):
    settings.IMPORT_ALLOW_PRIVATE_URLS = True


def url_source(org, url, **fields):
    kpi = KpiFactory(org=org)
    return MetricSource.objects.create(
        org=org, name="Feed", target="kpi_values", kind="url", url=url, kpi=kpi, **fields
    )


def test_a_url_source_imports_with_its_credential(org, server, allow_private):
    source = url_source(org, f"{server}/data.csv", header_name="X-Api-Key")
    source.header_secret = sources.encrypt_secret("k-123")
    source.save()
    run = sources.start_run(source=source)
    tasks.run_import.run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert KpiValue.objects.filter(kpi=source.kpi).count() == 2
    assert Handler.seen == [("/data.csv", "k-123")]


def test_credentials_are_not_sent_to_another_port_after_a_redirect(server, allow_private):
    other = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        fetched = fetch.fetch(
            f"{server}/to-port-{other.server_address[1]}", headers={"X-Api-Key": "k-123"}
        )
    finally:
        other.shutdown()
        other.server_close()
    assert fetched.size > 0
    port = other.server_address[1]
    # The first address had the key; the same host on another port (another service) did not.
    assert Handler.seen == [(f"/to-port-{port}", "k-123"), ("/data.csv", "")]


@pytest.mark.parametrize("url", ["https://example.com:99999/x.csv", "http://[::1/x.csv"])
def test_an_invalid_address_is_refused_not_a_crash(url):
    with pytest.raises(fetch.FetchRefused, match="not valid"):
        fetch.fetch(url)


def test_a_header_value_with_a_line_break_is_refused_without_repeating_it(server, allow_private):
    with pytest.raises(fetch.FetchRefused) as refused:
        fetch.fetch(f"{server}/data.csv", headers={"X-Api-Key": "s3cret\nInjected: yes"})
    assert "s3cret" not in str(refused.value)


def test_loopback_is_refused_without_the_setting(org, server):
    with pytest.raises(fetch.FetchRefused, match="private or reserved"):
        fetch.fetch(f"{server}/data.csv")
    source = url_source(org, f"{server}/data.csv")
    run = sources.start_run(source=source)
    tasks.run_import.run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "private or reserved" in run.error
    assert Handler.seen == []  # never connected


@pytest.mark.parametrize(
    "host",
    ["10.0.0.8", "192.168.1.1", "169.254.169.254", "[::1]", "224.0.0.1", "0.0.0.0"],  # noqa: S104 (refused addresses)
)
def test_private_link_local_multicast_and_unspecified_addresses_are_refused(host):
    with pytest.raises(fetch.FetchRefused):
        fetch.fetch(f"http://{host}/data.csv")


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("2002:c0a8:101::1", True),  # 6to4 of 192.168.1.1
        ("2002:7f00:1::", True),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 of 169.254.169.254, the cloud metadata
        ("::ffff:10.0.0.1", True),  # IPv4-mapped
        ("::127.0.0.1", True),  # IPv4-compatible
        ("fec0::1", True),  # site-local
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", True),  # Teredo, client 10.0.0.1
        ("2002:808:808::1", False),  # 6to4 of 8.8.8.8: public
        ("64:ff9b::808:808", False),  # NAT64 of 8.8.8.8: public
        ("2606:4700:4700::1111", False),
        ("8.8.8.8", False),
    ],
)
def test_ipv6_addresses_that_carry_a_private_ipv4_are_refused(address, refused, monkeypatch):
    """The host name resolves to the address; only the check runs (no connection)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(family, socket.SOCK_STREAM, 6, "", (address, 80))],
    )
    if refused:
        with pytest.raises(fetch.FetchRefused, match="private or reserved"):
            fetch.vetted_address("data.example.com", 80)
    else:
        assert fetch.vetted_address("data.example.com", 80) == address


def test_a_redirect_to_127_0_0_1_is_refused(server, monkeypatch):
    """The first hop is a public name, the redirect points at 127.0.0.1. No internet here,
    so the test's network answers the public name's address from the local server: name
    resolution and routing are the test's, the guard and the redirects are the code's."""
    port = int(server.rsplit(":", 1)[1])
    public = "93.184.215.14"
    real_resolve, real_connect = socket.getaddrinfo, socket.create_connection

    def resolve(host, *args, **kwargs):
        if host == "feeds.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (public, port))]
        return real_resolve(host, *args, **kwargs)

    def connect(address, *args, **kwargs):
        if address[0] == public:
            address = ("127.0.0.1", port)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket, "create_connection", connect)
    with pytest.raises(fetch.FetchRefused, match=r"127\.0\.0\.1"):
        fetch.fetch(f"http://feeds.example.com:{port}/to-local")
    assert [path for path, _ in Handler.seen] == ["/to-local"]  # /data.csv never asked


def test_redirects_are_capped(server, allow_private):
    with pytest.raises(fetch.FetchRefused, match="redirects"):
        fetch.fetch(f"{server}/loop")


def test_content_type_and_size_are_checked(server, allow_private, settings):
    with pytest.raises(fetch.FetchRefused, match="text/html"):
        fetch.fetch(f"{server}/page.html")
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(fetch.FetchRefused, match="larger than"):
        fetch.fetch(f"{server}/big.csv")


def test_network_errors_are_retried_then_give_up(org, server, allow_private):
    source = url_source(org, f"{server}/down")
    run = sources.start_run(source=source)
    with pytest.raises(Retry):
        tasks.run_import.run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.PENDING  # waits for the retry, claimable again
    tasks.run_import.push_request(retries=tasks.MAX_RETRIES)
    try:
        tasks.run_import.run(run.pk)
    finally:
        tasks.run_import.pop_request()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "503" in run.error
    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert ImportRun.objects.filter(source=source).count() == 1


def test_a_preview_reads_the_head_of_a_csv_document_and_hangs_up(server, allow_private):
    fetched = fetch.fetch(f"{server}/huge.csv", csv_head=sources.PREVIEW_BYTES)
    body = fetched.body.read()
    assert body.startswith(b"date,value\n2026-05-01,1\n") and body.endswith(b"\n")
    assert len(body) <= sources.PREVIEW_BYTES and fetched.size == len(body)
    # The server could not push the whole 5 MB: the socket buffers hold far less.
    assert Handler.sent < 5_200_000


def test_the_preview_page_shows_rows_of_a_document_past_the_size_cap(
    org, server, allow_private, settings, client_for
):
    settings.IMPORT_MAX_BYTES = 1_000_000  # the run would refuse the 5 MB document
    source = url_source(org, f"{server}/huge.csv")
    page = client_for("editor").get(f"/measurement/sources/{source.pk}/preview/")
    assert page.status_code == 200
    assert "2026-05-01" in page.text and "larger than" not in page.text
