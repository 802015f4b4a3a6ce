"""Every environment as its users deploy it: `terraform apply` into a fresh embedded account, a
re-plan that finds nothing to change, a workflow run to Published, `terraform destroy`, and an
account left empty."""

from __future__ import annotations

import pytest

from scripts.offline.deploy import REPO_ROOT, StackDeployer, leftovers
from scripts.offline.model_faults import calls_meet
from scripts.offline.runtime import OfflineWorkflow
from tests.deploy.plan_scan import assert_plan_passes_checkov

# An apply, a run and a teardown take minutes on 2 cores: more than the suite-wide per-test limit.
pytestmark = [pytest.mark.deploy_gate, pytest.mark.timeout(1200)]
TOPIC = "Step Functions orchestrates Bedrock agents"
# Sources per run: bu runs its largest advertised workload; team its default.
SOURCES = {"team": None, "bu": 200}
FULL_STACK = 85  # resources of team and bu today


@pytest.mark.parametrize("env", sorted(SOURCES))
def test_environment_applies_replans_clean_runs_and_destroys(env, fresh_account, corpus, tear_down, tmp_path):
    with OfflineWorkflow(env=env, corpus=corpus, account=fresh_account, work_dir=tmp_path) as workflow:
        deployer = workflow.deployer()
        assert deployer.plan_changes() == []
        assert_plan_passes_checkov(deployer, tmp_path / f"{env}.plan.json", FULL_STACK)

        limits = workflow.deployment.outputs["workflow_limits"]
        sources = SOURCES[env] or limits["default_max_sources"]
        # The summaries' model is slow enough that the Map's first MaxConcurrency items are in flight
        # together: the peak below is what the deployed Map allows, not how fast the cores are.
        meeting, faults = calls_meet("summary", limits["map_max_concurrency"])
        summary = workflow.run(topic=TOPIC, approve="auto", max_sources=sources, test_case=meeting, model_faults=faults).summary
        assert summary["end_state"] == "Published", summary
        assert summary["map_items"] == sources
        assert (summary["retries"], summary["fallbacks"], summary["map_failures"]) == (0, 0, 0)
        assert summary["peak_concurrency"]["agent_summary"] == limits["map_max_concurrency"]
        # The pre-review's compliance agent never runs beside the Map: a run's peak of model calls
        # is still the Map's, which the env keeps within its Bedrock quota.
        assert summary["peak_concurrency"]["agent_*"] == limits["map_max_concurrency"]
        assert summary["events"] == [  # started by StartExecution (a test case), not WorkflowRequested
            "SourcesGathered",
            "DraftWritten",
            "DraftReviewed",
            "ApprovalRequested",
            "ReportPublished",
        ]

    tear_down(deployer, workflow.deployment.bucket, workflow.deployment.outputs["document_library_bucket"])
    assert leftovers(fresh_account) == {}


def test_the_consumer_example_applies_replans_clean_and_destroys(fresh_account, tmp_path):
    # The consumer brings its own key, as the example's kms_key_arn variable says.
    key_arn = fresh_account.client("kms").create_key(Description="the consumer's key")["KeyMetadata"]["Arn"]
    example = REPO_ROOT / "examples" / "consumer"
    deployer = StackDeployer(
        fresh_account,
        env=None,
        work_dir=tmp_path / "consumer",
        root=example,
        var_file=example / "consumer.tfvars",
        variables={
            "kms_key_arn": key_arn,
            "bucket_name": f"consumer-dev-artifacts-{fresh_account.account_id}",
            "package_path": str(REPO_ROOT / "dist" / "agent.zip"),
        },
    )
    outputs = deployer.apply()
    agent_id, alias_id = outputs["search_alias_arn"].rsplit("/", 2)[-2:]
    agents = fresh_account.client("bedrock-agent")
    assert agents.get_agent(agentId=agent_id)["agent"]["agentStatus"] == "PREPARED"
    assert agents.get_agent_alias(agentId=agent_id, agentAliasId=alias_id)["agentAlias"]["agentAliasStatus"] == "PREPARED"
    environment = fresh_account.client("lambda").get_function_configuration(FunctionName=outputs["search_function_name"])
    assert environment["Environment"]["Variables"]["AGENT_ALIAS_ID"] == alias_id
    assert deployer.plan_changes() == []

    deployer.destroy()
    assert leftovers(fresh_account) == {"kms keys": [key_arn.rsplit("/", 1)[-1]]}
