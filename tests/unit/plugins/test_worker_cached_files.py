"""worker_cached_files: the files with blocks on a worker, read page by page from a web server that
speaks the worker's webui_blockinfo (a real HTTP server in a thread, pages shaped as Alluxio 2.9.6's),
and a worker that accepts the connection but never answers (the module ends within its timeout)."""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from module_args import patch_module_args

from ansible_collections.alnair.alluxio.plugins.modules import worker_cached_files


def entry(path, state, *lengths):
    return {"absolutePath": path, "persistenceState": state, "inAlluxioPercentage": 100,
            "blocksOnTier": {"MEM": [{"blockLength": n, "id": i} for i, n in enumerate(lengths)]}}


FILES = ([entry("/data/part-%04d" % i, "PERSISTED", 3000000) for i in range(7)]
         + [entry("/ckpt/b", "TO_BE_PERSISTED", 1000, 2000), entry("/ckpt/a", "NOT_PERSISTED", 3000000)])


class Worker(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        assert url.path == "/api/v1/worker/webui_blockinfo"
        query = parse_qs(url.query)
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        self.server.asked.append((offset, limit))
        if offset > len(FILES):   # what Alluxio says for an offset past the end
            page = {"ntotalFile": len(FILES), "fileInfos": None, "fatalError": "fromIndex(%d) > toIndex(%d)" % (offset, len(FILES))}
        else:
            page = {"ntotalFile": len(FILES), "fileInfos": FILES[offset:offset + limit], "fatalError": ""}
        body = json.dumps(page).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def worker():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Worker)
    server.asked = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run(capsys, **args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            worker_cached_files.main()
    return json.loads(capsys.readouterr().out)


def test_every_page_is_read_and_the_unpersisted_files_named(worker, capsys):
    result = run(capsys, worker_url="http://127.0.0.1:%d" % worker.server_port, page_size=4, listed_limit=1)
    assert worker.asked == [(0, 4), (4, 4), (8, 4)]
    assert not result.get("failed") and result["changed"] is False
    assert result["files"] == 9 and result["bytes"] == 8 * 3000000 + 3000
    assert result["unpersisted_count"] == 2 and result["unpersisted_bytes"] == 3003000
    assert result["unpersisted"] == [{"path": "/ckpt/a", "state": "NOT_PERSISTED", "bytes": 3000000}]   # by path


def test_a_worker_that_never_answers_fails_within_the_timeout(capsys):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)   # accepts the connection, never answers
    port = silent.getsockname()[1]
    try:
        started = time.monotonic()
        result = run(capsys, worker_url="http://127.0.0.1:%d" % port, timeout=2)
        took = time.monotonic() - started
    finally:
        silent.close()
    assert result["failed"] and result["msg"].startswith("cannot list the files cached on the worker")
    assert "127.0.0.1:%d" % port in result["msg"]
    assert 1.5 < took < 10, took


def test_a_stopped_worker_is_named(capsys):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()   # nothing listens there
    result = run(capsys, worker_url="http://127.0.0.1:%d" % port)
    assert result["failed"] and "127.0.0.1:%d" % port in result["msg"]
