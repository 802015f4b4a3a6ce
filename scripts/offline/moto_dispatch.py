"""moto's request dispatch, made cheaper without changing where any request goes.

moto's server picks the service of every request under one process-wide lock, and to do so lists
its own package directory (an `os.listdir` plus an `isdir` per service, some 250 system calls)
and then tries its few hundred URL patterns in turn. The answer depends only on the host name the
request resolves to, of which a deployment uses a dozen; each system call gives up the GIL, so
with the map's concurrent Lambda requests queued on that lock the listing took a twentieth of the
account's CPU in a 200-source run. Here the answer is remembered per host name, per dispatcher.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()


def install() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.get_backend_for_host
    if getattr(original, "remembers_hosts", False):
        return

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        # Called under the dispatcher's lock (get_application), so the dict needs no lock of its own.
        known: dict[str | None, Any] = self.__dict__.setdefault("_backend_of_host", {})
        backend = known.get(host, _MISSING)
        if backend is _MISSING:
            backend = known[host] = original(self, host)
        return backend

    get_backend_for_host.remembers_hosts = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host
