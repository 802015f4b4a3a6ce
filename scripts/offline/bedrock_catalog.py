"""The embedded account's Bedrock model catalogue: which foundation models exist, in which lifecycle
state, which of them run on demand only through an inference profile, and where each system-defined
profile sends its requests. The facts live in one dated data file with its sources
(scripts/offline/bedrock_models.json); this module answers from it as Bedrock does:

- the control plane: GetFoundationModel, ListFoundationModels, GetInferenceProfile,
  ListInferenceProfiles (so `data "aws_bedrock_inference_profile"` works offline);
- the model identifier of a runtime request (Converse, ConverseStream): an end-of-life model, a base
  model ID that needs a profile and an identifier Bedrock does not know are refused with the status,
  error code and message AWS answers them with;
- IAM: the resources a runtime request is authorized on. Through a profile that is the profile's
  ARN and, with `bedrock:InferenceProfileArn` naming the profile, the foundation model's ARN in
  every destination Region (a request may be routed to any of them); a global profile names the
  source Region and the Region-less foundation-model ARN (it routes to any commercial Region).
- a new account: a Legacy model is refused to it (AWS lets only its recent users call one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).with_name("bedrock_models.json")
_PROFILE_ARN = re.compile(r"^arn:aws:bedrock:([a-z0-9-]+):(\d{12}):(inference-profile|application-inference-profile)/(.+)$")
_MODEL_ARN = re.compile(r"^arn:aws:bedrock:([a-z0-9-]*)::foundation-model/(.+)$")
# AWS's own wording (quoted in the data file's sources); the on-demand message uses a typographic apostrophe.
END_OF_LIFE = "This model version has reached the end of its life. Please refer to the AWS documentation for more details."
LEGACY_FOR_NEW_ACCOUNTS = (
    "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last "
    "15 days. Please upgrade to an active model on Amazon Bedrock"
)
INVALID_IDENTIFIER = "The provided model identifier is invalid."
NEEDS_PROFILE = (
    "Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. Retry your request with the ID or "
    "ARN of an inference profile that contains this model."
)
PROFILE_CONDITION_KEY = "bedrock:InferenceProfileArn"


class BedrockError(Exception):
    """A Bedrock API refusal: HTTP status, error code (x-amzn-ErrorType) and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _timestamp(day: str | None) -> str | None:
    return f"{day}T00:00:00Z" if day else None


@dataclass(frozen=True)
class FoundationModel:
    model_id: str
    name: str
    provider: str
    lifecycle: str  # ACTIVE, LEGACY or EOL (the API's status enum has no EOL: an EOL model is gone)
    on_demand: bool  # False: on-demand calls must name an inference profile
    launched: str
    legacy_since: str | None
    end_of_life: str | None
    refused_parameters: tuple[str, ...]  # inferenceConfig fields the model refuses

    def arn(self, region: str) -> str:
        return f"arn:aws:bedrock:{region}::foundation-model/{self.model_id}"

    def details(self, region: str) -> dict[str, Any]:
        lifecycle = {"status": "LEGACY" if self.lifecycle == "LEGACY" else "ACTIVE", "startOfLifeTime": _timestamp(self.launched)}
        if self.legacy_since:
            lifecycle["legacyTime"] = _timestamp(self.legacy_since)
        if self.end_of_life:
            lifecycle["endOfLifeTime"] = _timestamp(self.end_of_life)
        return {
            "modelArn": self.arn(region),
            "modelId": self.model_id,
            "modelName": self.name,
            "providerName": self.provider,
            "inputModalities": ["TEXT", "IMAGE"] if self.provider == "Anthropic" else ["TEXT"],
            "outputModalities": ["TEXT"],
            "responseStreamingSupported": True,
            "customizationsSupported": [],
            "inferenceTypesSupported": ["ON_DEMAND"] if self.on_demand else ["INFERENCE_PROFILE"],
            "modelLifecycle": lifecycle,
        }


@dataclass(frozen=True)
class InferenceProfile:
    profile_id: str
    name: str
    model_id: str
    regions: tuple[str, ...]  # destination Regions
    created: str

    @property
    def is_global(self) -> bool:
        return self.profile_id.startswith("global.")

    def arn(self, region: str, account_id: str) -> str:
        return f"arn:aws:bedrock:{region}:{account_id}:inference-profile/{self.profile_id}"

    def model_arns(self) -> list[str]:
        """What GetInferenceProfile lists under `models`: the model in each destination Region; a
        global profile routes to any commercial Region, which it names with the Region-less ARN
        beside the source Region's."""
        arns = [f"arn:aws:bedrock:{region}::foundation-model/{self.model_id}" for region in self.regions]
        return arns + [f"arn:aws:bedrock:::foundation-model/{self.model_id}"] if self.is_global else arns

    def description(self, region: str, account_id: str) -> dict[str, Any]:
        return {
            "inferenceProfileName": self.name,
            "description": f"Routes requests to {self.name.split(' ', 1)[-1]} in {', '.join(self.regions)}.",
            "createdAt": _timestamp(self.created),
            "updatedAt": _timestamp(self.created),
            "inferenceProfileArn": self.arn(region, account_id),
            "models": [{"modelArn": arn} for arn in self.model_arns()],
            "inferenceProfileId": self.profile_id,
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
        }


@dataclass(frozen=True)
class ModelInvocation:
    """What a runtime request's model identifier resolves to."""

    model: FoundationModel
    profile: InferenceProfile | None


@dataclass(frozen=True)
class Catalogue:
    read_on: str
    models: dict[str, FoundationModel]
    profiles: dict[str, InferenceProfile]

    # -- the control plane -------------------------------------------------------------------------
    def get_foundation_model(self, identifier: str, region: str) -> dict[str, Any]:
        model_id = _MODEL_ARN.match(identifier).group(2) if _MODEL_ARN.match(identifier) else identifier
        model = self.models.get(model_id)
        if model is None or model.lifecycle == "EOL":
            raise BedrockError(404, "ResourceNotFoundException", f"The model {model_id} does not exist.")
        return {"modelDetails": model.details(region)}

    def list_foundation_models(
        self, region: str, provider: str | None = None, inference_type: str | None = None
    ) -> dict[str, Any]:
        listed = [m.details(region) for m in self.models.values() if m.lifecycle != "EOL"]
        if provider:
            listed = [m for m in listed if m["providerName"].lower() == provider.lower()]
        if inference_type:
            listed = [m for m in listed if inference_type in m["inferenceTypesSupported"]]
        return {"modelSummaries": listed}

    def get_inference_profile(self, identifier: str, region: str, account_id: str) -> dict[str, Any]:
        profile = self._profile(identifier, region, account_id)
        if profile is None:
            raise BedrockError(404, "ResourceNotFoundException", f"Inference profile {identifier} does not exist.")
        return profile.description(region, account_id)

    def list_inference_profiles(self, region: str, account_id: str, type_equals: str | None = None) -> dict[str, Any]:
        listed = [] if type_equals == "APPLICATION" else [p.description(region, account_id) for p in self.profiles.values()]
        return {"inferenceProfileSummaries": listed}

    def _profile(self, identifier: str, region: str, account_id: str) -> InferenceProfile | None:
        arn = _PROFILE_ARN.match(identifier)
        if arn:
            if arn.group(1, 2, 3) != (region, account_id, "inference-profile"):
                return None  # application profiles are created per account; this catalogue holds none
            identifier = arn.group(4)
        profile = self.profiles.get(identifier)
        return profile if profile is not None and region in profile.regions else None

    # -- the runtime ---------------------------------------------------------------------------------
    def resolve(self, identifier: str, region: str, account_id: str) -> ModelInvocation:
        """The model a Converse/ConverseStream `modelId` runs, or Bedrock's refusal of it."""
        profile = self._profile(identifier, region, account_id)
        if profile is not None:
            return ModelInvocation(self._callable(self.models[profile.model_id]), profile)
        base = _MODEL_ARN.match(identifier)
        if base and base.group(1) not in ("", region):
            raise BedrockError(400, "ValidationException", INVALID_IDENTIFIER)
        model = self.models.get(base.group(2) if base else identifier)
        if model is None:
            raise BedrockError(400, "ValidationException", INVALID_IDENTIFIER)
        model = self._callable(model)
        if not model.on_demand:
            raise BedrockError(400, "ValidationException", NEEDS_PROFILE.format(model_id=model.model_id))
        return ModelInvocation(model, None)

    @staticmethod
    def _callable(model: FoundationModel) -> FoundationModel:
        if model.lifecycle == "EOL":
            raise BedrockError(404, "ResourceNotFoundException", END_OF_LIFE)
        if model.lifecycle == "LEGACY":  # the embedded account is new: it never used a Legacy model
            raise BedrockError(404, "ResourceNotFoundException", LEGACY_FOR_NEW_ACCOUNTS)
        return model

    @staticmethod
    def check_parameters(model: FoundationModel, inference_config: dict[str, Any]) -> None:
        """Sampling parameters the model no longer takes are refused, in the model's own words."""
        for name in model.refused_parameters:
            if name in inference_config:
                wire_name = {"topP": "top_p", "topK": "top_k"}.get(name, name)
                raise BedrockError(
                    400,
                    "ValidationException",
                    f"The model returned the following errors: {wire_name} is deprecated for this model.",
                )

    def authorized_resources(self, identifier: str, region: str, account_id: str) -> list[tuple[str, dict[str, str]]]:
        """(resource ARN, condition context) pairs a runtime request on `identifier` is authorized on,
        all of which must be allowed. An identifier that resolves to nothing is authorized on the
        foundation-model ARN it names, as IAM sees it before Bedrock looks the model up."""
        profile = self._profile(identifier, region, account_id)
        if profile is None:
            base = _MODEL_ARN.match(identifier)
            return [(identifier if base else f"arn:aws:bedrock:{region}::foundation-model/{identifier}", {})]
        profile_arn = profile.arn(region, account_id)
        through = {PROFILE_CONDITION_KEY: profile_arn}
        return [(profile_arn, {})] + [(arn, through) for arn in profile.model_arns()]


@cache
def catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    document = json.loads(path.read_text(encoding="utf-8"))
    today = datetime.now(UTC).date().isoformat()
    models = {
        model_id: FoundationModel(
            model_id=model_id,
            name=spec["name"],
            provider=spec["provider"],
            # A Legacy model whose end-of-life date has passed is end of life, whatever the file says.
            lifecycle="EOL" if spec.get("end_of_life") and spec["end_of_life"] <= today else spec["lifecycle"],
            on_demand=spec["on_demand"],
            launched=spec["launched"],
            legacy_since=spec.get("legacy_since"),
            end_of_life=spec.get("end_of_life"),
            refused_parameters=tuple(spec.get("refused_parameters", [])),
        )
        for model_id, spec in document["foundation_models"].items()
    }
    profiles = {
        profile_id: InferenceProfile(profile_id, spec["name"], spec["model"], tuple(spec["regions"]), spec["created"])
        for profile_id, spec in document["inference_profiles"].items()
    }
    for profile in profiles.values():
        if profile.model_id not in models:
            raise ValueError(f"{path.name}: profile {profile.profile_id} names unknown model {profile.model_id}")
    return Catalogue(document["read_on"], models, profiles)
