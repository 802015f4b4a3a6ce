"""The examples/consumer stack written with CDK Terrain (PyPI `cdktn`, the community fork of the
archived CDKTF): one search agent as code on Bedrock Converse with its document library, artifact
bucket, workflow table and search cache. It uses this repository's modules as `TerraformHclModule`s
and the three AWS data sources it reads as generic `TerraformDataSource`s, so it needs no provider
bindings and synthesizes offline:

    python examples/cdktn_consumer/main.py --out out/cdktn   # writes stacks/consumer/cdk.tf.json
    cd out/cdktn/stacks/consumer && terraform init && terraform plan

Another repository passes "git::https://github.com/<org>/<this-repo>.git//modules" (with the
?ref= it pins on each source) instead of the local relative path.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

from cdktn import (
    App,
    TerraformDataSource,
    TerraformHclModule,
    TerraformLocal,
    TerraformOutput,
    TerraformProvider,
    TerraformProviderGeneratorMetadata,
    TerraformStack,
)
from constructs import Construct

REPO = Path(__file__).resolve().parents[2]

# examples/consumer/consumer.tfvars, with the zips as absolute paths (the stack is synthesized elsewhere).
SETTINGS: dict[str, Any] = {
    "name": "consumer-dev",
    "environment": "dev",
    "aws_region": "us-east-1",
    "kms_key_arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "agent_model_id": "global.anthropic.claude-sonnet-5-5",
    "fallback_model_id": "global.anthropic.claude-haiku-5-5",
    "agent_package_path": str(REPO / "dist" / "agent.zip"),
    "indexer_package_path": str(REPO / "dist" / "document_indexer.zip"),
    "lambda_architecture": "arm64",
    "powertools_layer_version": 27,
    "max_agent_turns": 8,
    "log_retention_in_days": 90,
    "tags": {"owner": "consumer-team"},
}
# What Converse takes as modelId through a profile (examples/consumer's local.inference_profile_pattern).
INFERENCE_PROFILE = re.compile(
    r"^(global|us|us-gov|eu|apac|jp|au|ca)\.|^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/"
)
AWS_PROVIDER = TerraformProviderGeneratorMetadata(provider_name="aws", provider_version_constraint=">= 5.100, < 6.0")


def local_modules_source(outdir: Path, stack_id: str) -> str:
    """Terraform takes local module sources only as ./ or ../ paths, relative to the stack directory."""
    stack_dir = (outdir / "stacks" / stack_id).resolve()
    return os.path.relpath(REPO / "modules", stack_dir)


def aws_data(scope: Construct, data_id: str, data_type: str, **arguments: Any) -> TerraformDataSource:
    """An AWS data source without generated bindings: its type, and its arguments as overrides."""
    source = TerraformDataSource(scope, data_id, terraform_resource_type=data_type, terraform_generator_metadata=AWS_PROVIDER)
    for name, value in arguments.items():
        source.add_override(name, value)
    return source


def model_statements(scope: Construct, use: str, model_id: str, partition: str, region: str) -> list[dict[str, Any]]:
    """The statements that let the function run one model, as examples/consumer builds them:
    through a profile, the profile and (conditioned on it) the models Bedrock says it routes to;
    a global profile also names the Region-less model ARN. Otherwise the foundation model."""
    if not INFERENCE_PROFILE.match(model_id):
        resource = f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}"
        return [{"sid": f"Invoke{use}Model", "actions": ["bedrock:InvokeModel"], "resources": [resource], "conditions": []}]
    profile = aws_data(scope, f"{use.lower()}_profile", "aws_bedrock_inference_profile", inference_profile_id=model_id)
    data = f"data.aws_bedrock_inference_profile.{profile.friendly_unique_id}"
    models = (
        f"${{distinct(flatten([for model in {data}.models : concat([model.model_arn], "
        f'startswith({data}.inference_profile_id, "global.") ? [replace(model.model_arn, "/^(arn:[^:]+:bedrock):[^:]*:/", "$1::")] : [])]))}}'
    )
    profile_arn = profile.get_string_attribute("inference_profile_arn")
    return [
        {"sid": f"Invoke{use}Profile", "actions": ["bedrock:InvokeModel"], "resources": [profile_arn], "conditions": []},
        {
            "sid": f"Invoke{use}ModelThroughProfile",
            "actions": ["bedrock:InvokeModel"],
            "resources": models,
            "conditions": [{"test": "StringEquals", "variable": "bedrock:InferenceProfileArn", "values": [profile_arn]}],
        },
    ]


class Consumer(TerraformStack):
    def __init__(self, scope: Construct, stack_id: str, settings: dict, modules_source: str) -> None:
        super().__init__(scope, stack_id)
        MODULES_SOURCE = modules_source  # noqa: N806 - the one knob another repository changes (git:: URL)
        name, key, tags = settings["name"], settings["kms_key_arn"], settings["tags"]
        provider = TerraformProvider(self, "aws", terraform_resource_type="aws", terraform_generator_metadata=AWS_PROVIDER)
        provider.add_override("region", settings["aws_region"])
        account = aws_data(self, "current_account", "aws_caller_identity").get_string_attribute("account_id")
        partition = aws_data(self, "current_partition", "aws_partition").get_string_attribute("partition")
        region = aws_data(self, "current_region", "aws_region").get_string_attribute("name")
        # AWS's public Powertools layer: the agent and indexer zips import Powertools but do not vendor it.
        layer = (
            f"arn:{partition}:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-"
            f"{settings['lambda_architecture']}:{settings['powertools_layer_version']}"
        )

        def module(module_id: str, source: str, variables: dict[str, Any]) -> TerraformHclModule:
            return TerraformHclModule(
                self,
                module_id,
                source=f"{MODULES_SOURCE}/{source}",
                skip_asset_creation_from_local_modules=True,  # Terraform reads the module in place
                variables={**variables, "tags": tags},
            )

        artifacts = module("artifacts", "artifact_bucket", {"bucket_name": f"{name}-artifacts-{account}", "kms_key_arn": key})
        store = module(
            "workflow_store",
            "workflow_store",
            {"workflow_table_name": f"{name}-workflow", "search_cache_table_name": f"{name}-search-cache", "kms_key_arn": key},
        )
        library = module(
            "document_library",
            "document_library",
            {
                "name": name,
                "environment": settings["environment"],
                "kms_key_arn": key,
                "indexer_package_path": settings["indexer_package_path"],
                "architecture": settings["lambda_architecture"],
                "layers": [layer],
                "log_retention_in_days": settings["log_retention_in_days"],
            },
        )
        workflow_table_arn = store.get_string("workflow_table_arn")
        # examples/consumer's local.search_statements without the library's, which are a module
        # output (a list the function's policy_statements concatenates with these).
        statements = [
            {
                # Copying an object is GetObject on the source plus PutObject on the target.
                "sid": "ReadWriteArtifacts",
                "actions": ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
                "resources": [f"{artifacts.get_string('bucket_arn')}/*"],
                "conditions": [],
            },
            {
                "sid": "SeeMissingArtifacts",
                "actions": ["s3:ListBucket"],
                "resources": [artifacts.get_string("bucket_arn")],
                "conditions": [],
            },
            {
                "sid": "RecordArtifacts",
                "actions": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
                "resources": [workflow_table_arn],
                "conditions": [],
            },
            {
                "sid": "ClearOwnIdempotencyRecords",
                "actions": ["dynamodb:DeleteItem"],
                "resources": [workflow_table_arn],
                "conditions": [
                    {
                        "test": "ForAllValues:StringEquals",
                        "variable": "dynamodb:LeadingKeys",
                        "values": ["IDEMPOTENCY#agent_search"],
                    }
                ],
            },
            {"sid": "UseConsumerKey", "actions": ["kms:GenerateDataKey", "kms:Decrypt"], "resources": [key], "conditions": []},
            *model_statements(self, "Agent", settings["agent_model_id"], partition, region),
            *model_statements(self, "Fallback", settings["fallback_model_id"], partition, region),
            {
                "sid": "UseSearchCache",
                "actions": ["dynamodb:GetItem", "dynamodb:PutItem"],
                "resources": [store.get_string("search_cache_table_arn")],
                "conditions": [],
            },
        ]
        own = TerraformLocal(self, "search_statements", statements)
        function = module(
            "search_function",
            "lambda_function",
            {
                "function_name": f"{name}-agent_search",
                "package_path": settings["agent_package_path"],
                "handler": "agent.handler.lambda_handler",
                "timeout": 300,
                "memory_size": 512,
                "architecture": settings["lambda_architecture"],
                "layers": [layer],
                "kms_key_arn": key,
                "log_retention_in_days": settings["log_retention_in_days"],
                # The agent handler's REQUIRED_ENV, and LIBRARY_BUCKET for the search role's tools.
                "environment_variables": {
                    "ENVIRONMENT": settings["environment"],
                    "AGENT_ROLE": "search",
                    "AGENT_RUNTIME": "converse",
                    "AGENT_MODEL_ID": settings["agent_model_id"],
                    "FALLBACK_MODEL_ID": settings["fallback_model_id"],
                    "MAX_AGENT_TURNS": str(settings["max_agent_turns"]),
                    "ARTIFACT_BUCKET": artifacts.get_string("bucket_name"),
                    "WORKFLOW_TABLE": store.get_string("workflow_table_name"),
                    "SEARCH_CACHE_TABLE": store.get_string("search_cache_table_name"),
                    "SEARCH_CACHE_TTL_SECONDS": "86400",
                    "TOLERATED_FAILURE_PERCENTAGE": "0",  # read by every role at cold start; only the writer acts on it
                    "LIBRARY_BUCKET": library.get_string("bucket_name"),
                    "POWERTOOLS_SERVICE_NAME": "agent_search",
                    "POWERTOOLS_METRICS_NAMESPACE": "ResearchReport",
                    "POWERTOOLS_LOG_LEVEL": "INFO",
                },
                "policy_statements": (
                    f"${{concat(module.{library.friendly_unique_id}.reader_policy_statements, local.{own.friendly_unique_id})}}"
                ),
            },
        )
        TerraformOutput(self, "search_function_name", value=function.get_string("function_name"))
        TerraformOutput(self, "search_function_arn", value=function.get_string("arn"))
        TerraformOutput(self, "library_bucket_name", value=library.get_string("bucket_name"))
        TerraformOutput(self, "library_rule_arn", value=library.get_string("rule_arn"))
        TerraformOutput(self, "artifact_bucket_name", value=artifacts.get_string("bucket_name"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthesize the CDK Terrain consumer example to Terraform JSON.")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "cdktn", help="output directory (default out/cdktn)")
    args = parser.parse_args(argv)
    app = App(outdir=str(args.out))
    Consumer(app, "consumer", SETTINGS, local_modules_source(args.out, "consumer"))
    app.synth()
    print(args.out / "stacks" / "consumer" / "cdk.tf.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
