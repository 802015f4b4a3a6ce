"""Environment configuration, read once at import and validated.

Handlers declare ``REQUIRED_ENV`` (exactly the variables in docs/design.md) and call
``load_config(REQUIRED_ENV)`` at module import, so a missing variable fails the cold start with one
message naming every missing variable instead of failing later inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(RuntimeError):
    """The function's environment is incomplete or invalid."""


@dataclass(frozen=True)
class Config:
    """A validated snapshot of the environment variables a handler requires."""

    values: Mapping[str, str]

    def str(self, name: str) -> str:
        try:
            return self.values[name]
        except KeyError:
            raise ConfigError(f"{name} is not one of this function's REQUIRED_ENV") from None

    def int(self, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
        raw = self.str(name)
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name} must be >= {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ConfigError(f"{name} must be <= {maximum}, got {value}")
        return value

    def float(self, name: str, minimum: float | None = None, maximum: float | None = None) -> float:
        raw = self.str(name)
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name} must be >= {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ConfigError(f"{name} must be <= {maximum}, got {value}")
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.str(name)
        if value not in allowed:
            raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        return value


def load_config(required: tuple[str, ...], environ: Mapping[str, str] | None = None) -> Config:
    """Read ``required`` from the environment; raise ConfigError naming every missing or blank one."""
    env = os.environ if environ is None else environ
    missing = [name for name in required if not env.get(name, "").strip()]
    if missing:
        raise ConfigError(
            "missing required environment variable(s): " + ", ".join(missing) + " (see docs/design.md, 'Lambda functions')"
        )
    return Config({name: env[name].strip() for name in required})


def optional_env(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """An environment variable a handler may run without (None when unset or blank)."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None
