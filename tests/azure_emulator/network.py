"""Plumbing of the emulator: a test CA, a loopback TLS server and a CONNECT proxy.

The clients keep talking to the real host names (management.azure.com,
login.microsoftonline.com, <region>.api.azureml.ms,
<account>.blob.core.windows.net): ``HTTPS_PROXY`` points them at the CONNECT
proxy below, which tunnels every connection to one TLS server on 127.0.0.1 that
presents a certificate for those names, signed by a CA that the clients trust
through ``SSL_CERT_FILE`` and ``REQUESTS_CA_BUNDLE``. No DNS lookup and no
address other than 127.0.0.1 is ever used.
"""

from __future__ import annotations

import select
import socket
import socketserver
import ssl
import threading
from pathlib import Path
from typing import Any

import trustme
from werkzeug.serving import make_server

HOST_NAMES = (
    "management.azure.com",
    "login.microsoftonline.com",
    "*.api.azureml.ms",
    "*.blob.core.windows.net",
)


def make_certificates(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A CA written to ``folder/ca.pem`` and a server context signed by it."""
    authority = trustme.CA(organization_name="Azure ML emulator (tests only)")
    ca_path = folder / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_path))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*HOST_NAMES).configure_cert(context)
    return ca_path, context


class _ProxyHandler(socketserver.BaseRequestHandler):
    """Answers ``CONNECT host:443`` by tunnelling to the loopback TLS server."""

    server: _ProxyServer

    def handle(self) -> None:
        client = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, target, _ = (request_line.split(" ") + ["", ""])[:3]
        if method != "CONNECT":
            # Plain http through the proxy: only the managed-identity probe of
            # azure-identity (http://169.254.169.254/metadata/identity/...). A
            # laptop has no such endpoint: the connection ends with no answer,
            # as when nothing listens there, and the request is logged.
            self.server.log(f"{method} {target.removeprefix('http://')}")
            return
        self.server.connected_hosts.append(target)
        upstream = socket.create_connection(("127.0.0.1", self.server.tls_port))
        client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        _pipe(client, upstream)


def _pipe(left: socket.socket, right: socket.socket) -> None:
    sockets = [left, right]
    try:
        while True:
            readable, _, broken = select.select(sockets, [], sockets, 300)
            if broken or not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (right if source is left else left).sendall(data)
    except OSError:
        return
    finally:
        right.close()


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls_port: int, log: Any) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.tls_port = tls_port
        self.log = log
        self.connected_hosts: list[str] = []


class Network:
    """The TLS server for ``app`` and the proxy in front of it, in threads."""

    def __init__(self, app: Any, folder: Path) -> None:
        self.ca_path, context = make_certificates(folder)
        self.tls = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
        self.proxy = _ProxyServer(self.tls.server_port, app.log.append)
        for target in (self.tls.serve_forever, self.proxy.serve_forever):
            threading.Thread(target=target, daemon=True).start()

    @property
    def proxy_url(self) -> str:
        """The value of ``HTTPS_PROXY`` (and ``HTTP_PROXY``) for the clients."""
        return f"http://127.0.0.1:{self.proxy.server_address[1]}"
