"""The production server as configured (gunicorn.conf.py), run for real on 127.0.0.1:
malformed and oversize requests are refused, and no client address reaches any log."""
import socket

import pytest

from bench.harness import Gunicorn, free_port, prepare, server_env, throwaway_database


@pytest.fixture(scope="module")
def server():
    with throwaway_database(None) as db_url:
        port = free_port()
        env = server_env(db_url, port)
        prepare(env, "shop", f"http://127.0.0.1:{port}")
        gunicorn = Gunicorn(env, workers=2)
        gunicorn.start()
        try:
            yield gunicorn
        finally:
            gunicorn.stop()


def raw(server, request: bytes) -> bytes:
    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)  # nothing more is coming
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


MALFORMED = [
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # a TLS hello on the plain port
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n",
    b"POST /api/v1/sites/shop/consents HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
]


@pytest.mark.parametrize("request_bytes", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_requests_get_a_4xx_or_a_closed_connection(server, request_bytes):
    answer = raw(server, request_bytes)
    assert answer == b"" or 400 <= status(answer) < 500, answer[:200]


def chunked(chunks: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


@pytest.mark.parametrize("chunks", [
    [b'{"pad": "' + b"x" * 1000] * 50,
    # a valid consent padded past the limit: refused whole, not cut to a valid prefix
    [b'{"choices": {}, "action": "save", "revision": 1, "language": "en"}', b" " * 8200],
], ids=["junk", "valid-prefix"])
def test_a_chunked_body_past_the_limit_is_413(server, chunks):
    answer = raw(server, b"POST /api/v1/sites/shop/consents HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                         b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(chunks))
    assert status(answer) == 413 and b'"too_large"' in answer


def test_a_chunked_body_within_the_limit_is_recorded(server):
    answer = raw(server, b"POST /api/v1/sites/shop/consents HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                         b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                         + chunked([b'{"choices": {}, "action": "save", ', b'"revision": 1, "language": "en"}']))
    assert status(answer) == 201


def test_no_client_address_in_any_log(server):
    # a normal request, an API error, a malformed request (gunicorn's "Invalid request from ip=...")
    raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    raw(server, b"GET /api/v1/sites/nope/config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    raw(server, b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")
    server.stop()
    logs = server.logs()
    assert '"GET /healthz HTTP/1.1" 200' in logs  # the access log is on
    assert "Invalid request from ip=[ip]" in logs  # the error log is on, masked
    assert "127.0.0.1" not in logs
