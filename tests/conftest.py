"""Fixtures shared by the test files.

- ``shared_usps_dir``: the real USPS files in ``../shared/data/usps`` (beside the repository). CI
  always has them, so a missing copy fails the tests instead of skipping them.
- ``usps``: that data loaded once per session by ``load_usps(path)`` (read-only arrays).
- ``loopback_server``: a small HTTP server on 127.0.0.1 serving a temporary folder, with switches
  to misbehave (cut transfers short, stall), for testing downloads without the internet.
- ``no_internet`` (automatic): any attempt to reach a host other than 127.0.0.1 fails the test.
"""
from __future__ import annotations

import functools
import os
import http.server
import ipaddress
import socket
import threading
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import pytest

from course.data import Digits, load_usps

#: The repository is /work/main; the shared data folder is its sibling /work/shared.
SHARED_USPS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "usps"
SHARED_USPS_FILES = ("zip.train.gz", "zip.test.gz")

ALLOWED_HOSTS = ("127.0.0.1",)

# Notebooks, kernels and graders started by the tests find USPS the way CI does, through
# USPS_DIR, whether or not the caller set it (tests of the search order set their own).
if SHARED_USPS_DIR.is_dir():
    os.environ.setdefault("USPS_DIR", str(SHARED_USPS_DIR))


@pytest.fixture(scope="session")
def shared_usps_dir() -> Path:
    """The folder holding the real zip.train.gz / zip.test.gz (never copied into the repo)."""
    missing = [f for f in SHARED_USPS_FILES if not (SHARED_USPS_DIR / f).is_file()]
    if missing:
        pytest.fail(f"The shared USPS data is missing: {', '.join(missing)} not found in "
                    f"{SHARED_USPS_DIR}. The tests need the real files there (see "
                    f"shared/data/README.md); CI always provides them.", pytrace=False)
    return SHARED_USPS_DIR


@pytest.fixture(scope="session")
def usps(shared_usps_dir) -> Digits:
    """The real USPS data, loaded once per session from the shared folder (given as a str path),
    with no download, no fallback and no warning allowed. The arrays are read-only: they are
    shared by every test that asks for them."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = load_usps(str(shared_usps_dir), download_if_missing=False, allow_fallback=False)
    for a in (d.X_train, d.y_train, d.X_test, d.y_test):
        a.flags.writeable = False
    return d


# ------------------------------------------------------------------------------ no internet
def _is_loopback(host) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Fail the test loudly on any attempt to reach a host other than 127.0.0.1.

    urlopen is refused with pytest.fail, whose exception no ``except Exception`` in the code under
    test can swallow; a raw socket connection to a non-loopback address is refused as well.
    Returns the list of refused URLs.
    """
    refused = []
    real_urlopen = urllib.request.urlopen

    def guarded_urlopen(url, *args, **kwargs):
        full = url.full_url if isinstance(url, urllib.request.Request) else str(url)
        host = urllib.parse.urlsplit(full).hostname
        if host not in ALLOWED_HOSTS:
            refused.append(full)
            pytest.fail(f"a test tried to open {full}: tests must not use the internet "
                        f"(only {', '.join(ALLOWED_HOSTS)} is allowed)", pytrace=False)
        return real_urlopen(url, *args, **kwargs)

    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            refused.append(address)
            pytest.fail(f"a test tried to connect to {address}: tests must not use the internet",
                        pytrace=False)
        return real_connect(sock, address)

    monkeypatch.setattr(urllib.request, "urlopen", guarded_urlopen)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return refused


# -------------------------------------------------------------------------- loopback server
class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the server's folder; server.faults[name] makes the answer for `name` misbehave:

    "short":   Content-Length announces the whole file, but only its first half is sent;
    "chunked-cut": chunked transfer encoding, hanging up after half the file, before the last chunk;
    "stall":   headers and a little of the body, then nothing until the server shuts down.
    """

    timeout = 10  # seconds a connection may sit idle: a stuck client cannot hold a thread forever

    def log_message(self, format, *args):  # keep the test output clean
        pass

    def do_GET(self):
        name = urllib.parse.urlsplit(self.path).path.lstrip("/")
        self.server.requests.append(name)
        fault = self.server.faults.get(name)
        if fault is None:
            return super().do_GET()
        body = (self.server.root / name).read_bytes()
        half = body[: len(body) // 2]
        self.close_connection = True
        if fault == "short":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(half)
        elif fault == "chunked-cut":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
        elif fault == "stall":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:100])
            self.wfile.flush()
            self.server.release.wait(timeout=10)
        else:
            raise ValueError(f"unknown fault {fault!r}")


class LoopbackServer:
    """What the loopback_server fixture returns."""

    def __init__(self, httpd, root: Path):
        self._httpd = httpd
        self.root = root  # the folder served; put files here
        self.port = httpd.server_address[1]
        self.faults = httpd.faults  # {file name: fault}, see _Handler
        self.requests = httpd.requests  # file names requested so far, in order

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@pytest.fixture
def loopback_server(tmp_path_factory, monkeypatch):
    """An HTTP server on 127.0.0.1 (a free port) serving an empty temporary folder.

    It runs in a daemon thread and is shut down, and its thread joined, at teardown.
    """
    for var in ("no_proxy", "NO_PROXY"):  # a proxy configured on the machine must not intercept
        monkeypatch.setenv(var, "127.0.0.1")
    root = tmp_path_factory.mktemp("www")
    handler = functools.partial(_Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    httpd.root, httpd.faults, httpd.requests = root, {}, []
    httpd.release = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name="loopback-http", daemon=True)
    thread.start()
    try:
        yield LoopbackServer(httpd, root)
    finally:
        httpd.release.set()  # let stalled handlers finish
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert not thread.is_alive(), "the loopback HTTP server did not stop"


# ------------------------------------------------------------------------- the demo class
@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """The simulated class (instructor/demo.py), graded once on this machine's workers:
    (course root, Report, log text). Shared by the end-to-end and the Dask tests."""
    from instructor.demo import run_demo

    root = tmp_path_factory.mktemp("demo") / "class"
    messages = []
    report = run_demo(root, log=messages.append)
    return root, report, "\n".join(messages)
