"""An SMTP server for tests that start Hearth in other processes: it keeps every message it
is given, and while `hold()` is on it accepts connections and says nothing, so that whoever
sends mail waits, in the middle of the job, until `release()`."""

import contextlib
import email
import socketserver
import threading
import time
from email.policy import default as default_policy


class MailSink:
    def __init__(self):
        self.messages = []
        self.held = 0
        self._lock = threading.Lock()
        self._speak = threading.Event()
        self._speak.set()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 120

            def handle(self):
                with sink._lock:
                    sink.held += not sink._speak.is_set()
                sink._speak.wait()
                # A sender that died while held gets nothing and sends nothing.
                with contextlib.suppress(OSError):
                    sink._converse(self.rfile, self.wfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._speak.set()
        self._server.shutdown()
        self._server.server_close()

    def hold(self):
        """New connections are accepted and left waiting for the server's greeting."""
        with self._lock:
            self.held = 0
        self._speak.clear()

    def release(self):
        self._speak.set()

    def wait_for_held(self, count, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.held >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"{self.held} SMTP connections held after {timeout} s, not {count}")

    def received(self):
        with self._lock:
            return list(self.messages)

    def _converse(self, rfile, wfile):
        def say(line):
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        say("220 sink.test ESMTP")
        recipients = []
        while line := rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO", "MAIL", "RSET", "NOOP"}:
                recipients = [] if verb in {"MAIL", "RSET"} else recipients
                say("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                say("250 OK")
            elif verb == "DATA":
                say("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := rfile.readline()) not in {b".\r\n", b""}:
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=default_policy)
                with self._lock:
                    self.messages.append(message)
                say("250 OK: queued")
            elif verb == "QUIT":
                say("221 Bye")
                return
            else:
                say("502 Command not implemented")
