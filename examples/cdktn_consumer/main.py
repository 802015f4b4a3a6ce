"""The examples/consumer stack written with CDK Terrain (PyPI `cdktn`, the community fork of the
archived CDKTF). It uses this repository's modules as `TerraformHclModule`s, so it needs no provider
bindings and synthesizes offline:

    python examples/cdktn_consumer/main.py --out out/cdktn   # writes stacks/consumer/cdk.tf.json
    cd out/cdktn/stacks/consumer && terraform init && terraform plan

Another repository passes "git::https://github.com/<org>/<this-repo>.git//modules" (with the
?ref= it pins on each source) instead of the local relative path.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cdktn import App, TerraformHclModule, TerraformOutput, TerraformStack
from constructs import Construct

REPO = Path(__file__).resolve().parents[2]

SETTINGS = {
    "name": "consumer-dev",
    "search_model_id": "anthropic.claude-3-haiku-20240307-v1:0",
    "kms_key_arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "bucket_name": "consumer-dev-artifacts-111122223333",
    "package_path": str(REPO / "dist" / "agent.zip"),
    "guardrail": {"identifier": "gr1234567890", "version": "1"},
}


def local_modules_source(outdir: Path, stack_id: str) -> str:
    """Terraform takes local module sources only as ./ or ../ paths, relative to the stack directory."""
    stack_dir = (outdir / "stacks" / stack_id).resolve()
    return os.path.relpath(REPO / "modules", stack_dir)


class Consumer(TerraformStack):
    def __init__(self, scope: Construct, stack_id: str, settings: dict, modules_source: str) -> None:
        super().__init__(scope, stack_id)
        MODULES_SOURCE = modules_source  # noqa: N806 - the one knob another repository changes (git:: URL)
        name, key = settings["name"], settings["kms_key_arn"]
        agents = TerraformHclModule(
            self,
            "bedrock_agents",
            source=f"{MODULES_SOURCE}/bedrock_agents",
            skip_asset_creation_from_local_modules=True,  # Terraform reads the module in place
            variables={
                "name": name,
                "agents": {
                    "search": {
                        "foundation_model": settings["search_model_id"],
                        "instruction_path": str(REPO / "agents" / "search" / "instructions.md"),
                    }
                },
                "guardrail": settings["guardrail"],
                "kms_key_arn": key,
            },
        )
        artifacts = TerraformHclModule(
            self,
            "artifacts",
            source=f"{MODULES_SOURCE}/artifact_bucket",
            skip_asset_creation_from_local_modules=True,  # Terraform reads the module in place
            variables={"bucket_name": settings["bucket_name"], "kms_key_arn": key},
        )
        alias_arn = f'${{module.{agents.friendly_unique_id}.alias_arns["search"]}}'
        function = TerraformHclModule(
            self,
            "search_function",
            source=f"{MODULES_SOURCE}/lambda_function",
            skip_asset_creation_from_local_modules=True,  # Terraform reads the module in place
            variables={
                "function_name": f"{name}-agent_search",
                "package_path": settings["package_path"],
                "handler": "agent.handler.lambda_handler",
                "kms_key_arn": key,
                "environment_variables": {
                    "AGENT_ROLE": "search",
                    "AGENT_ID": f'${{module.{agents.friendly_unique_id}.agents["search"].agent_id}}',
                    "AGENT_ALIAS_ID": f'${{module.{agents.friendly_unique_id}.agents["search"].alias_id}}',
                    "ARTIFACT_BUCKET": artifacts.get_string("bucket_name"),
                },
                "policy_statements": [
                    {"sid": "InvokeOwnAgent", "actions": ["bedrock:InvokeAgent"], "resources": [alias_arn]},
                    {
                        "sid": "WriteSources",
                        "actions": ["s3:PutObject"],
                        "resources": [f"{artifacts.get_string('bucket_arn')}/*"],
                    },
                    {"sid": "UseKey", "actions": ["kms:GenerateDataKey", "kms:Decrypt"], "resources": [key]},
                ],
            },
        )
        TerraformOutput(self, "search_alias_arn", value=alias_arn)
        TerraformOutput(self, "search_function_name", value=function.get_string("function_name"))


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
