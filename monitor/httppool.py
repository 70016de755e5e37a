"""httpcore's connection pool, with each idle connection handed to one request at a time.

httpcore (1.0) assigns a queued request to the first idle connection and only marks the connection busy when
the request starts on it, after a loop turn. A second request arriving in that turn is handed the same
connection, finds it busy, and goes round the pool again (``ConnectionNotAvailable``): on the benchmark's
pages, three retries per request, each a full pass over every connection and request. Here a connection
already handed to a request that has not started on it is not handed out again, and the pool's clean-up pass
counts the idle connections once instead of once per idle connection.
"""

from __future__ import annotations

import httpcore
import httpx


class ReservingPool(httpcore.AsyncConnectionPool):
    """:class:`httpcore.AsyncConnectionPool` whose assignment skips connections already handed out."""

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        if self._http2:  # one HTTP/2 connection serves many requests at once: httpcore's own way is right
            return super()._assign_requests_to_connections()
        if not any(r.is_queued() for r in self._requests):
            # A request ending, none waiting: nothing to hand out. httpcore would scan (and poll) every connection
            # here too; a connection the server closed or that outlived its keep-alive is instead found on the
            # next pass that hands one out, before it is handed out.
            return []
        # The same three cases, in the same order, as httpcore 1.0's own method.
        closing: list[httpcore.AsyncConnectionInterface] = []
        idle = sum(1 for c in self._connections if c.is_idle())
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.has_expired() or (connection.is_idle() and idle > self._max_keepalive_connections):
                idle -= connection.is_idle()
                self._connections.remove(connection)
                closing.append(connection)

        # Handed to a request that has not started on it yet: an HTTP/1.1 connection still looks idle.
        handed = {id(r.connection) for r in self._requests if r.connection is not None}
        for pool_request in self._requests:
            if not pool_request.is_queued():
                continue
            origin = pool_request.request.url.origin
            chosen = next((c for c in self._connections if c.can_handle_request(origin) and c.is_available()
                           and id(c) not in handed), None)
            if chosen is None and len(self._connections) >= self._max_connections:
                spare = next((c for c in self._connections if c.is_idle() and id(c) not in handed), None)
                if spare is None:
                    continue
                self._connections.remove(spare)
                closing.append(spare)
            if chosen is None:
                chosen = self.create_connection(origin)
                self._connections.append(chosen)
            pool_request.assign_to_connection(chosen)
            handed.add(id(chosen))
        return closing


def reserving_pool(transport: httpx.AsyncHTTPTransport,
                   backend: httpcore.AsyncNetworkBackend) -> ReservingPool:
    """A :class:`ReservingPool` with the settings of ``transport``'s own pool (TLS context, limits, keep-alive)
    and ``backend`` for its connections. httpx offers no public way to choose either."""
    old = transport._pool
    assert isinstance(old, httpcore.AsyncConnectionPool)
    return ReservingPool(
        ssl_context=old._ssl_context, max_connections=old._max_connections,
        max_keepalive_connections=old._max_keepalive_connections, keepalive_expiry=old._keepalive_expiry,
        http1=old._http1, http2=old._http2, retries=old._retries, local_address=old._local_address, uds=old._uds,
        network_backend=backend, socket_options=old._socket_options,
    )
