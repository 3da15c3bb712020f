"""The background worker, run in a test, and a tiny local SMTP server that accepts, refuses or hangs."""

from __future__ import annotations

import socket
import threading
from unittest import mock

from django.core.management import call_command


def run_worker() -> None:
    """Run every task that is due, as `manage.py db_worker --batch` does in production."""
    # As Django's test client does for requests, keep the worker from closing the test's connection
    # (which would end the transaction each test runs in).
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


class SmtpServer:
    """An SMTP server on a free loopback port, in a thread. `mode`, which can change while it runs:

    - "accept": a minimal server that keeps every message (`messages`);
    - "refuse": answers every connection with 554 and hangs up;
    - "hang": accepts the connection and never says anything.
    """

    def __init__(self, mode: str = "accept") -> None:
        self.mode = mode
        self.connections = 0
        self.messages: list[str] = []
        self._open: list[socket.socket] = []
        self._stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so the thread notices stop()
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for conn in self._open:
            conn.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(None)
            self.connections += 1
            self._open.append(conn)
            if self.mode == "refuse":
                conn.sendall(b"554 5.3.2 Not accepting mail\r\n")
                conn.close()
            elif self.mode == "accept":
                threading.Thread(target=self._converse, args=(conn,), daemon=True).start()
            # "hang": keep the connection open and say nothing until stop().

    def _converse(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")

        def say(line: str) -> None:
            conn.sendall(line.encode() + b"\r\n")

        say("220 localhost test server")
        try:
            for raw in reader:
                command = raw.decode().strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    say("250 localhost")
                elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                    say("250 OK")
                elif command == "DATA":
                    say("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    for line in reader:
                        if line in (b".\r\n", b".\n"):
                            break
                        lines.append(line.decode())
                    self.messages.append("".join(lines))
                    say("250 OK: queued")
                elif command == "QUIT":
                    say("221 Bye")
                    break
                else:
                    say("502 Command not implemented")
        except OSError:
            pass
        finally:
            conn.close()
