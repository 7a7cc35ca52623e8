"""A TCP proxy in front of the service that cuts off the answers on its first connections.

On each of the first ``losses`` connections it forwards the request, passes on the first
``answer_bytes`` of the answer (none by default) and then closes the connection: the request
took effect, but the client sees its answer cut off, as when a network fails at the worst moment.
"""

from __future__ import annotations

import socket
import threading


class DroppingProxy:
    def __init__(self, upstream_port: int, losses: int, answer_bytes: int = 0):
        self._upstream = ("127.0.0.1", upstream_port)
        self._losses_left = losses
        self._answer_bytes = answer_bytes
        self.answers_lost = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, name="dropping-proxy", daemon=True)

    def __enter__(self) -> "DroppingProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self._upstream)
            lose_answer = self._take_loss()
            for source, target, lose in ((downstream, upstream, False), (upstream, downstream, lose_answer)):
                threading.Thread(target=self._pump, args=(source, target, lose), daemon=True).start()

    def _take_loss(self) -> bool:
        with self._lock:
            if self._losses_left > 0:
                self._losses_left -= 1
                return True
            return False

    def _pump(self, source: socket.socket, target: socket.socket, lose: bool) -> None:
        budget = self._answer_bytes
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if lose and len(data) >= budget:
                    target.sendall(data[:budget])
                    with self._lock:
                        self.answers_lost += 1
                    break
                budget -= len(data)
                target.sendall(data)
        except OSError:
            pass
        finally:
            # shutdown() wakes the other direction's recv(); close() alone may not.
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()
