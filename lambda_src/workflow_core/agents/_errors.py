"""ClientError -> AgentThrottled / AgentFailed, shared by the Bedrock backends."""

from __future__ import annotations

from botocore.exceptions import ClientError

from workflow_core.errors import AgentFailed, AgentThrottled

# Error codes are PascalCase for API errors and camelCase for errors inside an event stream
# (botocore raises EventStreamError with the ``:exception-type`` header, e.g. throttlingException).
# Converse answers a model without capacity with ServiceUnavailableException (503): back off too.
_THROTTLED = {"throttlingexception", "servicequotaexceededexception", "toomanyrequestsexception", "serviceunavailableexception"}


def translate(error: ClientError, what: str) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", ""))[:300]
    if code.lower() in _THROTTLED:
        return AgentThrottled(f"{what} throttled ({code}): {message}")
    return AgentFailed(f"{what} failed ({code}): {message}")
