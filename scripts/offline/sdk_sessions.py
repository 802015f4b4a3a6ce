"""botocore sessions that share one loader per process.

A new botocore session reads the service models and endpoint rules from disk again, tens of
milliseconds per client; moto's mock_aws even starts every mock with a new default session. The
loader only caches those static files, so sharing it changes nothing a client does."""

from __future__ import annotations

from typing import Any

_service_models: Any = None  # botocore's data loader, the first session's


def botocore_session():
    import botocore.session

    global _service_models
    session = botocore.session.get_session()
    if _service_models is None:
        _service_models = session.get_component("data_loader")
    else:
        session.register_component("data_loader", _service_models)
    return session
