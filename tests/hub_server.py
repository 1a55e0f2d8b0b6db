"""A small stand-in for the Hugging Face Hub on 127.0.0.1, for download tests.

It answers the requests huggingface_hub 2.4.0 makes on LocalChat's download path (read from
``hf_api.model_info``, ``hf_api._iter_repo_tree_pages``, ``file_download.get_hf_file_metadata``
and ``file_download.http_get``):

* ``GET  /api/models/{repo}/revision/{rev}``           -> {"id", "sha"}
* ``GET  /api/models/{repo}/tree/{rev}/{quoted path}``  -> files under that folder, with git and LFS ids
* ``HEAD /{repo}/resolve/{rev}/{path}``                 -> X-Repo-Commit, ETag / X-Linked-Etag, sizes
* ``GET  /{repo}/resolve/{rev}/{path}``                 -> the bytes, honouring ``Range: bytes=N-``

Faults are switched on per test: drop a file's connection part-way (a number of times), stall a
file at a byte offset until released (then hang up), serve corrupted bytes under the right checksum, answer every
request with 401 or 404, serve slowly.  Every request is logged and the body bytes written per
file are counted, so tests can check what was (not) fetched and how much was fetched again.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

LFS_SUFFIXES = (".onnx", ".data")


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Faults:
    drop: dict[str, int] = field(default_factory=dict)  # repo path -> how many GETs to cut short
    drop_at: float = 0.5  # where in the body a dropped GET is cut (a fraction of what it sends)
    corrupt: set[str] = field(default_factory=set)  # repo paths served with one byte changed
    status: int | None = None  # answer everything with this status (401, 404)
    bytes_per_second: int | None = None  # slow serving of file bodies
    stall: dict[str, int] = field(default_factory=dict)  # repo path -> byte offset where its GET waits for release


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    range: str | None


class FakeHub:
    """Serves ``files`` (repo path -> bytes) as the repository ``repo_id`` at one commit."""

    def __init__(self, repo_id: str, files: dict[str, bytes], commit: str = "c0ffee" + "0" * 34) -> None:
        self.repo_id = repo_id
        self.files = files
        self.commit = commit
        self.faults = Faults()
        self.requests: list[Request] = []
        self.served: dict[str, int] = {}  # repo path -> body bytes written to clients
        self.stalled = threading.Event()  # a GET reached its stall offset
        self.release = threading.Event()  # lets stalled GETs go on
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeHub":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def take_drop(self, path: str) -> bool:
        with self._lock:
            left = self.faults.drop.get(path, 0)
            if left:
                self.faults.drop[path] = left - 1
            return bool(left)

    def count_served(self, path: str, n: int) -> None:
        with self._lock:
            self.served[path] = self.served.get(path, 0) + n

    def fetched(self) -> list[str]:
        """Repo paths whose bytes were requested with GET."""
        marker = f"/{self.repo_id}/resolve/"
        return [r.path.split(marker, 1)[1].split("/", 1)[1] for r in self.requests
                if r.method == "GET" and marker in r.path]

    def tree_entry(self, path: str) -> dict:
        data = self.files[path]
        entry = {"type": "file", "path": path, "size": len(data), "oid": git_blob_sha1(data)}
        if path.endswith(LFS_SUFFIXES):
            entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
        return entry


def files_from_folder(folder: Path, prefix: str) -> dict[str, bytes]:
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._route(head=False)

        def do_HEAD(self) -> None:
            self._route(head=True)

        def _route(self, head: bool) -> None:
            path = urlsplit(self.path).path
            hub.log(Request(self.command, path, self.headers.get("Range")))
            if hub.faults.status is not None:
                return self._error(hub.faults.status)
            api = f"/api/models/{hub.repo_id}/"
            resolve = f"/{hub.repo_id}/resolve/"
            if path.startswith(api + "revision/"):
                return self._json({"id": hub.repo_id, "sha": hub.commit, "private": False})
            if path.startswith(api + "tree/"):
                folder = unquote(path[len(api + "tree/"):].partition("/")[2]).strip("/")
                return self._tree(folder)
            if path.startswith(resolve):
                return self._file(unquote(path[len(resolve):].partition("/")[2]), head)
            self._error(404)

        def _tree(self, folder: str) -> None:
            paths = [p for p in hub.files if not folder or p.startswith(folder + "/")]
            if not paths:
                return self._error(404, "EntryNotFound")
            self._json([hub.tree_entry(p) for p in paths])

        def _file(self, path: str, head: bool) -> None:
            if path not in hub.files:
                return self._error(404, "EntryNotFound")
            data = hub.files[path]
            entry = hub.tree_entry(path)
            start = 0
            if self.headers.get("Range", "").startswith("bytes="):
                start = int(self.headers["Range"][len("bytes="):].split("-")[0])
            self.send_response(206 if start else 200)
            self.send_header("X-Repo-Commit", hub.commit)
            self.send_header("ETag", f'"{entry["oid"]}"')
            if "lfs" in entry:
                self.send_header("X-Linked-Etag", f'"{entry["lfs"]["oid"]}"')
                self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("Accept-Ranges", "bytes")
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if head:
                return
            if path in hub.faults.corrupt:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            body = data[start:]
            if hub.take_drop(path):
                self._send(path, body[: int(len(body) * hub.faults.drop_at)])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            stall = hub.faults.stall.get(path)
            if stall is not None and start <= stall < len(data):
                if not self._send(path, body[: stall - start]):
                    return
                hub.faults.stall.pop(path, None)
                hub.stalled.set()
                hub.release.wait()
                self.close_connection = True  # the client was killed meanwhile: hang up
                return
            self._send(path, body)

        def _send(self, path: str, body: bytes) -> bool:
            """Write ``body`` (slowly if asked); False if the client went away."""
            rate = hub.faults.bytes_per_second
            step = max(1, rate // 20) if rate else 64 * 1024
            try:
                for i in range(0, len(body), step):
                    self.wfile.write(body[i:i + step])
                    hub.count_served(path, len(body[i:i + step]))
                    if rate:
                        time.sleep(step / rate)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
                return False
            return True

        def _json(self, payload: object) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, code: str | None = None) -> None:
            codes = {401: "GatedRepo", 404: "RepoNotFound"}
            body = b'{"error": "fake hub error"}'
            self.send_response(status)
            self.send_header("X-Error-Code", code or codes.get(status, ""))
            self.send_header("X-Error-Message", "fake hub error")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler
