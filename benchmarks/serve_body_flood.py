"""The service's memory under oversized request bodies: four streamed 200 MiB bodies and one declared one at once.

Usage: python benchmarks/serve_body_flood.py REPORT [--mib 200] [--clients 4]

Starts ``imdb-serve REPORT`` (default limits) on a free localhost port, then sends, at the same time,
``--clients`` chunked bodies of ``--mib`` MiB each (no Content-Length: the server must count as they
stream) and one request declaring a ``--mib`` MiB Content-Length. Prints each answer's status line and
the server's resident memory before, at its peak (sampled every 50 ms) and after.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import running_server  # noqa: E402

_HEAD = b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


def _server_pid(port: int) -> int:
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f"--port\0{port}\0".encode() in status.read_bytes():
                return int(status.parent.name)
        except OSError:
            continue
    raise RuntimeError("the server's process was not found")


def _rss_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) // 1024


def _send(port: int, mib: int, chunked: bool, answers: list[str]) -> None:
    with socket.create_connection(("127.0.0.1", port)) as connection:
        if chunked:
            connection.sendall(_HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
            block = b"a" * (1 << 20)
            try:
                for _ in range(mib):
                    connection.sendall(b"%x\r\n%s\r\n" % (len(block), block))
            except OSError:  # refused mid-stream: the server closed the connection
                pass
        else:
            connection.sendall(_HEAD + b"Content-Length: %d\r\n\r\n" % (mib << 20))
        try:
            answers.append(connection.recv(200).split(b"\r\n")[0].decode())
        except OSError as error:
            answers.append(f"no answer: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with running_server(args.report) as port:
        pid = _server_pid(port)
        before, peak, done = _rss_mib(pid), [0], threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _rss_mib(pid))
                time.sleep(0.05)

        threading.Thread(target=watch, daemon=True).start()
        answers: list[str] = []
        senders = [threading.Thread(target=_send, args=(port, args.mib, chunked, answers))
                   for chunked in [True] * args.clients + [False]]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        done.set()
        time.sleep(0.2)
        print("\n".join(sorted(answers)))
        print(f"server resident memory: {before} MiB before, {peak[0]} MiB at its peak, {_rss_mib(pid)} MiB after")


if __name__ == "__main__":
    main()
