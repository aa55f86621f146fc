"""The web server (servers/httpd) built for this host with ASan and UBSan
(make build/host/httpd) and run on a free port with a temporary document
root: bodies byte for byte, headers, errors, keep-alive, pipelining, many
clients at once, garbage and idle connections. Nothing here sleeps: every
wait has a deadline. The server's stderr is checked for sanitizer reports
at the end.
"""
import email.utils
import hashlib
import http.client
import os
import pathlib
import select
import socket
import subprocess
import threading
import time
import urllib.parse

import pytest

from conftest import free_ports

ROOT = pathlib.Path(__file__).resolve().parent.parent
HTTPD = pathlib.Path(os.environ.get("CLK_HTTPD", ROOT / "build" / "host" / "httpd"))
BIG_SIZE = 5 * 1024 * 1024 + 123  # not a multiple of the server's chunk
ODD_NAME = b"odd name \xe9 #1 %.txt"  # spaces, a byte that is not UTF-8, '#', '%'
SECRET = b"outside the document root\n"


class Server:
    def __init__(self, tmp):
        top = tmp / "top"
        self.root = top / "www"
        (self.root / "sub").mkdir(parents=True)
        (top / "secret.txt").write_bytes(SECRET)
        self.big = os.urandom(BIG_SIZE)
        (self.root / "big.bin").write_bytes(self.big)
        (self.root / "index.html").write_bytes(b"<!DOCTYPE html><h1>root</h1>\n")
        (self.root / "sub" / "index.html").write_bytes(b"<h1>sub</h1>\n")
        (self.root / "style.css").write_bytes(b"h1 { color: red }\n")
        (self.root / "empty.txt").write_bytes(b"")
        (self.root / "nodir").mkdir()  # a directory without index.html
        os.mkfifo(self.root / "fifo.txt")  # never opened: it would block
        self.odd = b"odd bytes \x00\x01\xff\n"
        (self.root / os.fsdecode(ODD_NAME)).write_bytes(self.odd)
        self.port, = free_ports(socket.SOCK_STREAM)
        self.stderr = open(tmp / "httpd.stderr", "w+b")
        self.proc = subprocess.Popen([str(HTTPD), f"root={self.root}", f"port={self.port}"],
                                     stdout=subprocess.PIPE, stderr=self.stderr)
        line = self.read_line(timeout=20)
        assert line == f"httpd: serving {self.root} on port {self.port}\n", line

    def read_line(self, timeout):
        """The server's next stdout line, waiting at most TIMEOUT seconds."""
        deadline = time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            assert left > 0, f"no line from httpd, got {data!r}"
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1)
                assert chunk, f"httpd exited: {self.proc.wait()}, {self.errors()}"
                data += chunk
        return data.decode()

    def errors(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)

    def get(self, path, method="GET", headers=None):
        """(response, body) of one request on a new connection."""
        c = self.conn()
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r, body

    def raw(self, data, timeout=20):
        """Send DATA on a new socket; return everything until the server closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            return read_all(s)


def read_all(s):
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return out
        out += chunk


def read_response(f, head=False):
    """(status, headers, body) of one response from the file F."""
    status = int(f.readline().split()[1])
    headers = {}
    while (line := f.readline()) not in (b"\r\n", b""):
        k, v = line.decode().split(":", 1)
        headers[k.strip().lower()] = v.strip()
    body = b"" if head else f.read(int(headers["content-length"]))
    return status, headers, body


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if "CLK_HTTPD" not in os.environ:
        subprocess.run(["make", "-s", "build/host/httpd"], cwd=ROOT, check=True)
    s = Server(tmp_path_factory.mktemp("httpd"))
    yield s
    alive = s.proc.poll() is None
    s.proc.terminate()
    s.proc.wait(timeout=10)
    errors = s.errors()
    assert alive, f"httpd died: {errors}"
    assert "Sanitizer" not in errors and "runtime error" not in errors, errors


def sha(b):
    return hashlib.sha256(b).hexdigest()


def test_curl_big_file(server, tmp_path):
    out, head = tmp_path / "big", tmp_path / "head"
    subprocess.run(["curl", "-sS", "--max-time", "60", "-o", out, "-D", head,
                    f"http://127.0.0.1:{server.port}/big.bin"], check=True)
    assert sha(out.read_bytes()) == sha(server.big)
    headers = head.read_bytes().decode().lower()
    assert "http/1.1 200 ok" in headers
    assert f"content-length: {BIG_SIZE}\r\n" in headers
    assert "content-type: application/octet-stream\r\n" in headers
    assert "server: clkernel-httpd\r\n" in headers


def test_curl_odd_name(server, tmp_path):
    out = tmp_path / "odd"
    url = f"http://127.0.0.1:{server.port}/" + urllib.parse.quote(ODD_NAME)
    subprocess.run(["curl", "-sS", "--max-time", "20", "-o", out, url], check=True)
    assert out.read_bytes() == server.odd


@pytest.mark.parametrize("path,ctype,body", [
    ("/", "text/html; charset=utf-8", b"<!DOCTYPE html><h1>root</h1>\n"),
    ("/index.html", "text/html; charset=utf-8", b"<!DOCTYPE html><h1>root</h1>\n"),
    ("/sub/", "text/html; charset=utf-8", b"<h1>sub</h1>\n"),
    ("/sub/./index.html?x=1", "text/html; charset=utf-8", b"<h1>sub</h1>\n"),
    ("/style.css", "text/css", b"h1 { color: red }\n"),
    ("/empty.txt", "text/plain; charset=utf-8", b""),
])
def test_get(server, path, ctype, body):
    r, got = server.get(path)
    assert r.status == 200
    assert r.getheader("Content-Type") == ctype
    assert int(r.getheader("Content-Length")) == len(body)
    assert got == body


def test_head(server):
    r, body = server.get("/big.bin", method="HEAD")
    assert r.status == 200 and body == b""
    assert int(r.getheader("Content-Length")) == BIG_SIZE
    # and the connection stays in step: nothing of the body follows
    c = server.conn()
    for _ in range(2):
        c.request("HEAD", "/index.html")
        r = c.getresponse()
        assert r.status == 200 and r.read() == b""
    c.request("GET", "/index.html")
    assert c.getresponse().read().startswith(b"<!DOCTYPE")
    c.close()


def test_ranges(server, tmp_path):
    """One byte range (RFC 9110 14): 206 with Content-Range and exactly
    those bytes, on a keep-alive connection; the last N bytes; 416 past the
    end; several ranges and If-Range are ignored (the whole file); a
    download resumed with curl -C - comes out whole; every response has a
    Date."""
    c = server.conn()
    size = BIG_SIZE
    for first, last in [(0, 0), (100, 199), (size - 10, size + 100), (4096, 4096 + 70000)]:
        c.request("GET", "/big.bin", headers={"Range": f"bytes={first}-{last}"})
        r = c.getresponse()
        body = r.read()
        end = min(last, size - 1)
        assert r.status == 206 and body == server.big[first:end + 1], (first, last)
        assert r.getheader("Content-Range") == f"bytes {first}-{end}/{size}"
    c.request("GET", "/big.bin", headers={"Range": "bytes=-1000"})
    r = c.getresponse()
    assert r.status == 206 and r.read() == server.big[-1000:]
    c.request("GET", "/big.bin", headers={"Range": f"bytes={size}-"})
    r = c.getresponse()
    assert r.status == 416 and r.getheader("Content-Range") == f"bytes */{size}"
    r.read()
    for header in [{"Range": "bytes=0-1,5-6"}, {"Range": "bytes=0-1", "If-Range": '"x"'}]:
        c.request("GET", "/index.html", headers=header)
        r = c.getresponse()
        assert r.status == 200 and r.read().startswith(b"<!DOCTYPE"), header
    c.request("HEAD", "/big.bin", headers={"Range": "bytes=10-19"})
    r = c.getresponse()
    assert r.status == 206 and r.read() == b"" and r.getheader("Content-Length") == "10"
    assert r.getheader("Accept-Ranges") == "bytes"
    date = email.utils.parsedate_to_datetime(r.getheader("Date"))
    assert abs(date.timestamp() - time.time()) < 600, r.getheader("Date")  # the host's clock
    c.close()
    part = tmp_path / "part"
    part.write_bytes(server.big[:1234567])
    subprocess.run(["curl", "-sS", "--max-time", "60", "-C", "-", "-o", part,
                    f"http://127.0.0.1:{server.port}/big.bin"], check=True)
    assert sha(part.read_bytes()) == sha(server.big)


def test_redirect_directory(server):
    r, _ = server.get("/sub")
    assert r.status == 301
    assert r.getheader("Location") == "/sub/"


@pytest.mark.parametrize("path", ["/missing", "/nodir/", "/index.html/", "/fifo.txt"])
def test_not_found(server, path):
    r, body = server.get(path)
    assert r.status == 404 and body == b"404 Not Found\n"


def test_method_not_allowed(server):
    r, _ = server.get("/", method="DELETE")
    assert r.status == 405
    assert r.getheader("Allow") == "GET, HEAD"
    status, headers, _ = read_response_of(server, b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi")
    assert status == 405 and headers["connection"] == "close"


def read_response_of(server, request):
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(request)
        with s.makefile("rb") as f:
            return read_response(f)


@pytest.mark.parametrize("request_bytes,status", [
    (b"garbage\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nbad header\r\n\r\n", 400),
    (b"GET / HTTP/3.0\r\n\r\n", 505),
    (b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n", 431),
])
def test_bad_requests(server, request_bytes, status):
    reply = server.raw(request_bytes)  # answered, then closed
    assert reply.startswith(f"HTTP/1.1 {status} ".encode()), reply[:100]
    assert b"Connection: close\r\n" in reply
    assert server.get("/")[0].status == 200


@pytest.mark.parametrize("path", [
    b"/../secret.txt", b"/%2e%2e/secret.txt", b"/sub/%2E%2E/%2e%2e/secret.txt",
    b"/..%2fsecret.txt", b"/sub/../../secret.txt", b"/index.html%00.txt",
    b"http://h/../secret.txt", b"/%252e%252e/secret.txt",
])
def test_traversal_refused(server, path):
    reply = server.raw(b"GET " + path + b" HTTP/1.1\r\nConnection: close\r\n\r\n")
    status = int(reply.split()[1])
    assert status in (400, 404), reply[:100]
    assert SECRET not in reply


def test_keep_alive(server):
    c = server.conn()
    c.request("GET", "/index.html")
    r = c.getresponse()
    assert r.getheader("Connection") == "keep-alive"
    r.read()
    sock = c.sock
    c.request("GET", "/big.bin")
    r = c.getresponse()
    assert sha(r.read()) == sha(server.big)
    assert c.sock is sock  # the same connection
    c.close()


def test_connection_close_and_http10(server):
    reply = server.raw(b"GET /index.html HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert reply.endswith(b"<h1>root</h1>\n") and b"Connection: close" in reply
    reply = server.raw(b"GET /index.html HTTP/1.0\r\n\r\n")
    assert reply.endswith(b"<h1>root</h1>\n") and b"Connection: close" in reply
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" * 2)
        with s.makefile("rb") as f:
            for _ in range(2):
                status, headers, _ = read_response(f)
                assert status == 200 and headers["connection"] == "keep-alive"


def test_pipelining(server):
    requests = [("GET", "/index.html"), ("HEAD", "/big.bin"), ("GET", "/missing"),
                ("GET", "/sub/"), ("GET", "/style.css")]
    data = b"".join(f"{m} {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for m, p in requests)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(data)  # one write: the server sees them in one read
        with s.makefile("rb") as f:
            got = [read_response(f, head=(m == "HEAD")) for m, _ in requests]
    assert [g[0] for g in got] == [200, 200, 404, 200, 200]
    assert got[0][2].startswith(b"<!DOCTYPE") and got[3][2] == b"<h1>sub</h1>\n"
    assert got[4][2] == b"h1 { color: red }\n"


def test_many_clients(server):
    results = [None] * 50

    def client(i):
        try:
            path = "/big.bin" if i % 5 == 0 else "/index.html"
            r, body = server.get(path)
            want = server.big if path == "/big.bin" else (server.root / "index.html").read_bytes()
            results[i] = r.status == 200 and sha(body) == sha(want)
        except Exception as e:  # reported below
            results[i] = e

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == [True] * len(results)


def test_garbage_stream(server):
    rnd = os.urandom(256 * 1024)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        try:
            s.sendall(rnd)
            s.shutdown(socket.SHUT_WR)
            reply = read_all(s)
            assert reply.startswith(b"HTTP/1.1 4")
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server may close before all of it arrived
    for _ in range(3):
        assert server.get("/")[0].status == 200


def test_idle_connections_do_not_block(server):
    """Half-open connections and a client that does not read a large file
    stall nobody; the idle ones are closed after the idle timeout."""
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(5)]
    slow = socket.create_connection(("127.0.0.1", server.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET /big.bin HTTP/1.1\r\n\r\n")  # and never read
    slowloris = socket.create_connection(("127.0.0.1", server.port))
    slowloris.sendall(b"GET / HTTP/1.1\r\n")  # and never finish
    start = time.monotonic()
    r, body = server.get("/big.bin")
    assert r.status == 200 and sha(body) == sha(server.big)
    assert time.monotonic() - start < 10
    for s in idle + [slowloris]:
        s.settimeout(30)
        assert s.recv(100) == b""  # closed by the server, within the timeout
        s.close()
    slow.close()
