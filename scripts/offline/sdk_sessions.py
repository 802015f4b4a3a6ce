"""botocore sessions that share one loader per process.

A new botocore session reads the service models and endpoint rules from disk again, tens of
milliseconds per client; moto's mock_aws even starts every mock with a new default session. The
loader only caches those static files, so sharing it changes nothing a client does."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def shared_loader(search_paths: str | None = None) -> Any:
    """botocore's `create_loader`, made once per `data_path` setting."""
    from botocore.loaders import create_loader

    return create_loader(search_paths)


def botocore_session():
    """A new botocore session whose loader is the process's shared one."""
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", shared_loader(session.get_config_variable("data_path")))
    return session
