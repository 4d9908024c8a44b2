"""A `lianban serve` process on a free loopback port, for the benchmarks that load the workspace."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def serve(db: str, *more: str, wait: float = 60) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Start `lianban serve --db DB` (plus `more` options) on ./definitions; yield the process and its
    port once it accepts connections (SystemExit if it has not within `wait` seconds); stop it after."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--db", db, "--port", str(port),
                               "--definitions", str(ROOT / "definitions"), *more], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        yield server, port
    finally:
        server.terminate()
        server.wait(timeout=30)
