#!/usr/bin/python3
"""The two webhook receivers of ./bench/run --mode isolation, in one process.

    /usr/bin/python3 isolation_receiver.py --dir DIR

Listens on two 127.0.0.1 ports the OS picks, written to DIR/ports as "fast PORT" and "hanging PORT"
lines once both listen (the file appears complete or not at all).

fast     answers every request 200 at once (HTTP/1.1 keep-alive, Nagle off, so the receiver is never
         what a 50/s stream waits for) and appends "<webhook-id> <CLOCK_REALTIME ns> <path>" to
         DIR/received.txt, the time taken once the whole request has been read. The bench joins
         these lines with timed_enqueue's commit times by message id, as latency mode joins the
         stamp plugin's.
hanging  accepts every connection and reads what arrives, but never answers: a receiver that has
         stopped responding without refusing connections, so each request costs the sender its whole
         timeout. A connection is closed only when the client gives up on it.
"""
import argparse
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORD_LOCK = threading.Lock()


class FastHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body would wait for the
    # client's delayed ACK (tens of milliseconds per request).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        received_ns = time.time_ns()
        line = "%s %d %s\n" % (self.headers.get("webhook-id", "-"), received_ns, self.path)
        with RECORD_LOCK:
            self.server.record.write(line)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_PUT = do_PATCH = do_GET = do_POST


class FastServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # a batch's concurrent requests connect at once


def hold(conn):
    """Reads and discards until the client closes; answers nothing."""
    with conn:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass


def serve_hanging(listener):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=hold, args=(conn,), daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()

    fast = FastServer(("127.0.0.1", 0), FastHandler)
    # Line-buffered: every request is in the file once its answer has left.
    fast.record = open(os.path.join(args.dir, "received.txt"), "a", buffering=1)
    threading.Thread(target=fast.serve_forever, daemon=True).start()

    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(512)
    threading.Thread(target=serve_hanging, args=(hanging,), daemon=True).start()

    tmp = os.path.join(args.dir, "ports.tmp")
    with open(tmp, "w") as f:
        f.write("fast %d\nhanging %d\n" % (fast.server_address[1], hanging.getsockname()[1]))
    os.rename(tmp, os.path.join(args.dir, "ports"))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
