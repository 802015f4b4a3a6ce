"""The account's per-model Bedrock quotas, enforced on Converse and ConverseStream as Bedrock
enforces them on the bedrock-runtime endpoint (the rules and their sources, read 2026-12-03, are in
scripts/offline/bedrock_quotas.json).

Quotas are the account's, named as Service Quotas names them, and an environment says which ones
it is sized for (`bedrock_quotas` in envs/<env>.tfvars, handed to the account by the runner from
Terraform's output):

- "Cross-Region InvokeModel tokens per minute for Anthropic Claude Haiku 5.5": every request on that
  model through a cross-Region inference profile (global., us., ...);
- "On-demand InvokeModel tokens per minute for Amazon Nova Micro": the model called by its own ID;
- "Model invocation max tokens per day for ...": both.

A quota is a bucket of its value in tokens, refilled at its value per period. A request reserves its
input tokens (the request as sent, about four characters a token) plus maxTokens (the model's
maximum output when the request sets none); one that does not fit in every quota it counts against
is answered ThrottlingException (HTTP 429, AWS's message). When it ends, the reservation becomes
what it used: input + output tokens x the model's burndown rate (5 for the Claude models), so a
bucket can go below zero and refuse requests until it refills. Requests-per-minute quotas are
refused as configuration: Bedrock stopped enforcing them on bedrock-runtime on 2026-05-27.

A period is the account's time: at time scale s (scripts/offline/interpreter.py scales every wait
by it) a minute lasts 60 x s seconds of wall time, so retries and quotas keep AWS's proportions. At
scale 0 (no waiting, the default of `make demo` and `make test`) a bucket is full again at every
request: only a request larger than a whole quota is refused. Agents Classic (InvokeAgent) is not
counted: the account does not know which model an agent runs on.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scripts.offline.bedrock_catalog import BedrockError, Catalogue, FoundationModel, ModelInvocation
from scripts.offline.model_faults import api_errors

RULES_FILE = Path(__file__).with_name("bedrock_quotas.json")


class QuotaConfigError(ValueError):
    """A quota the account cannot have: an unknown name or model, or a value that is not a count."""


@dataclass(frozen=True)
class QuotaRule:
    prefix: str  # the quota's name up to the model
    counts: str  # which requests: "cross-Region", "on-demand" or "every"
    period_s: float
    message: str  # the ThrottlingException message past it


@dataclass(frozen=True)
class Rules:
    read_on: str
    quotas: tuple[QuotaRule, ...]
    retired: dict[str, str]  # name prefix -> why the account refuses it
    output_burndown: dict[str, int]  # model ID -> quota tokens per output token (1 when unlisted)
    max_output_tokens: dict[str, int]  # model ID -> what a request without maxTokens reserves

    def rule_of(self, name: str) -> QuotaRule:
        for prefix, reason in self.retired.items():
            if name.startswith(prefix):
                raise QuotaConfigError(f"{name!r}: {reason}")
        for rule in self.quotas:
            if name.startswith(rule.prefix) and len(name) > len(rule.prefix):
                return rule
        known = "; ".join(f"'{rule.prefix}<provider> <model>'" for rule in self.quotas)
        raise QuotaConfigError(f"{name!r} is not a Bedrock runtime quota (known: {known})")


@cache
def rules(path: Path = RULES_FILE) -> Rules:
    document = json.loads(path.read_text(encoding="utf-8"))
    return Rules(
        read_on=document["read_on"],
        quotas=tuple(
            QuotaRule(prefix, spec["counts"], float(spec["period_s"]), spec["message"])
            for prefix, spec in document["quotas"].items()
        ),
        retired=dict(document["retired"]),
        output_burndown={model: spec["output_burndown"] for model, spec in document["models"].items()},
        max_output_tokens={model: spec["max_output_tokens"] for model, spec in document["models"].items()},
    )


def quota_model_name(model: FoundationModel) -> str:
    """How a quota's name ends for this model: its provider and name as Bedrock lists them."""
    return f"{model.provider} {model.name}"


@dataclass
class TokenQuota:
    """One quota's bucket, with what it admitted and refused since it was configured."""

    name: str
    value: int
    rule: QuotaRule
    model: str  # quota_model_name of the model it counts
    available: float
    at: float  # when `available` was last brought up to date (wall clock)
    lowest: float = 0.0  # the least `available` has been
    admitted: int = 0
    throttled: int = 0
    tokens: int = 0  # settled usage
    busiest: int = 0  # the most settled usage in one period: what the quota must be for this traffic
    recent: deque = field(default_factory=deque)  # (account time, tokens) settled within the last period
    recent_tokens: int = 0

    def refill(self, now: float, scale: float) -> None:
        if scale <= 0:
            self.available = float(self.value)
        else:
            refilled = (now - self.at) / scale * self.value / self.rule.period_s
            self.available = min(float(self.value), self.available + refilled)
        self.at = now

    def record(self, now: float, scale: float, tokens: int) -> None:
        """Settled usage, counted in the period it falls in (at scale 0 a period takes no time)."""
        self.tokens += tokens
        at = now / scale if scale > 0 else 0.0
        if scale <= 0:
            self.recent.clear()
            self.recent_tokens = 0
        self.recent.append((at, tokens))
        self.recent_tokens += tokens
        while self.recent[0][0] <= at - self.rule.period_s:
            self.recent_tokens -= self.recent.popleft()[1]
        self.busiest = max(self.busiest, self.recent_tokens)

    def applies_to(self, model: str, through_profile: bool) -> bool:
        kind = "cross-Region" if through_profile else "on-demand"
        return self.model == model and self.rule.counts in (kind, "every")

    def report(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "available": int(self.available),
            "lowest": int(self.lowest),
            "admitted": self.admitted,
            "throttled": self.throttled,
            "tokens": self.tokens,
            "busiest_period_tokens": self.busiest,
        }


@dataclass
class Admission:
    """A reservation held while the model answers; `used` settles it, else it is released."""

    quotas: list[TokenQuota]
    reserved: int
    input_tokens: int
    burndown: int
    consumed: int | None = None

    def used(self, output_tokens: int) -> None:
        self.consumed = self.input_tokens + output_tokens * self.burndown


@dataclass
class AccountQuotas:
    """The quotas of one account; thread-safe (every agent function calls Converse at once)."""

    catalogue: Catalogue
    scale: Callable[[], float] = lambda: 0.0
    clock: Callable[[], float] = time.monotonic
    quotas: dict[str, TokenQuota] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(self, values: dict[str, Any]) -> dict[str, int]:
        """Set these quotas (others keep theirs), each with a full bucket and its counts at zero; a
        value of None stops enforcing that quota (a test that set one puts the account back).
        Every name and value is checked before any is set."""
        if not isinstance(values, dict):
            raise QuotaConfigError("quotas must map Service Quotas names to values")
        models = {quota_model_name(model) for model in self.catalogue.models.values()}
        parsed = {}
        for name, value in values.items():
            rule = rules().rule_of(name)
            model = name[len(rule.prefix) :]
            if model not in models:
                raise QuotaConfigError(f"{name!r}: Bedrock has no model {model!r} (known: {', '.join(sorted(models))})")
            if value is None:
                parsed[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 1 or value != int(value):
                raise QuotaConfigError(f"{name!r}: the value must be a whole number of tokens >= 1, not {value!r}")
            parsed[name] = (rule, model, int(value))
        with self._lock:
            now = self.clock()
            for name, quota in parsed.items():
                if quota is None:
                    self.quotas.pop(name, None)
                    continue
                rule, model, value = quota
                self.quotas[name] = TokenQuota(name, value, rule, model, float(value), now, lowest=float(value))
            return {"quotas": len(self.quotas)}

    @contextmanager
    def admit(self, invocation: ModelInvocation, input_tokens: int, max_tokens: Any) -> Iterator[Admission]:
        """Reserve the request's tokens in every quota it counts against, or answer as Bedrock
        does past one: ThrottlingException with that quota's message."""
        model_id = invocation.model.model_id
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
            max_tokens = rules().max_output_tokens.get(model_id, 0)
        name = quota_model_name(invocation.model)
        admission = Admission([], input_tokens + max_tokens, input_tokens, rules().output_burndown.get(model_id, 1))
        with self._lock:
            now, scale = self.clock(), self.scale()
            admission.quotas = sorted(
                (q for q in self.quotas.values() if q.applies_to(name, invocation.profile is not None)),
                key=lambda q: q.rule.period_s,
            )
            for quota in admission.quotas:
                quota.refill(now, scale)
            short = next((q for q in admission.quotas if q.available < admission.reserved), None)
            if short is not None:
                short.throttled += 1
                raise BedrockError(api_errors("Agent")["ThrottlingException"], "ThrottlingException", short.rule.message)
            for quota in admission.quotas:
                quota.available -= admission.reserved
                quota.lowest = min(quota.lowest, quota.available)
                quota.admitted += 1
        try:
            yield admission
        finally:
            consumed = admission.consumed or 0  # a request that failed uses nothing of its reservation
            with self._lock:
                now, scale = self.clock(), self.scale()
                for quota in admission.quotas:
                    quota.available += admission.reserved - consumed
                    quota.lowest = min(quota.lowest, quota.available)
                    quota.record(now, scale, consumed)

    def report(self) -> list[dict[str, Any]]:
        with self._lock:
            now, scale = self.clock(), self.scale()
            for quota in self.quotas.values():
                quota.refill(now, scale)
            return [quota.report() for _, quota in sorted(self.quotas.items())]
