"""Every environment as its users deploy it: `terraform apply` into a fresh embedded account, a
re-plan that finds nothing to change, a workflow run to Published, `terraform destroy`, and an
account left empty. The consumer example is called as its users call it: its search function,
invoked directly on documents put into its library."""

from __future__ import annotations

import json
import shutil

import pytest

from scripts.hcl import load_file
from scripts.library import sync as library_sync
from scripts.library import wait_until_indexed
from scripts.offline.deploy import REPO_ROOT, StackDeployer, leftovers
from scripts.offline.model_faults import calls_meet
from scripts.offline.runtime import OfflineWorkflow
from scripts.package_lambdas import required_env
from tests.deploy.plan_scan import assert_plan_passes_checkov

# An apply, a run and a teardown take minutes on 2 cores: more than the suite-wide per-test limit.
pytestmark = [pytest.mark.deploy_gate, pytest.mark.timeout(1200)]
TOPIC = "Step Functions orchestrates Bedrock agents"
# Sources per run: bu runs its largest advertised workload; team its default.
SOURCES = {"team": None, "bu": 200}
FULL_STACK = 85  # resources of team and bu today
# The consumer's library: two documents on the topic the search is asked about.
CONSUMER_DOCUMENTS = ("step-functions-standard-vs-express.md", "map-state-concurrency-and-bedrock-quotas.md")


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


def consumer_key_policy(account_id: str, name: str) -> str:
    """What the consumer's key policy grants for the example (its kms_key_arn variable says so): the
    account administers the key and delegates to IAM, CloudWatch Logs encrypts the functions' log
    groups, EventBridge uses it for the library rule's encrypted dead-letter queue."""
    statements = [
        {
            "Sid": "AccountAdministersAndDelegatesKey",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudWatchLogsEncryptConsumerLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{account_id}:log-group:/aws/lambda/{name}-*"
                }
            },
        },
        {
            "Sid": "LibraryRuleUsesEncryptedDeadLetterQueue",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": library_rule_arn(account_id, name)}},
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def library_rule_arn(account_id: str, name: str) -> str:
    return f"arn:aws:events:us-east-1:{account_id}:rule/{name}-library-changed"


def test_the_consumer_example_applies_replans_clean_and_destroys(fresh_account, tear_down, tmp_path):
    """The example as its users deploy and call it: apply, documents into its library, one search
    invocation as a caller of the function sends it, a re-plan that finds nothing, destroy."""
    example = REPO_ROOT / "examples" / "consumer"
    name = load_file(example / "consumer.tfvars")["name"]
    account_id = fresh_account.account_id
    # The consumer brings its own key, as the example's kms_key_arn variable says.
    key = fresh_account.client("kms").create_key(Description="the consumer's key", Policy=consumer_key_policy(account_id, name))
    key_arn = key["KeyMetadata"]["Arn"]
    deployer = StackDeployer(
        fresh_account,
        env=None,
        work_dir=tmp_path / "consumer",
        root=example,
        var_file=example / "consumer.tfvars",
        # A stack this test destroys: the tables without deletion protection from the start.
        variables={"kms_key_arn": key_arn, "deletion_protection": False},
    )
    outputs = deployer.apply()
    assert outputs["library_rule_arn"] == library_rule_arn(account_id, name)
    function = fresh_account.client("lambda").get_function_configuration(FunctionName=outputs["search_function_name"])
    assert set(required_env("agent")) <= set(function["Environment"]["Variables"])
    powertools = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:27"
    assert [layer["Arn"] for layer in function["Layers"]] == [powertools]

    # Two documents into the library, the way scripts/library.py sync --wait puts them there.
    documents = tmp_path / "documents"
    documents.mkdir()
    for document in CONSUMER_DOCUMENTS:
        shutil.copy(REPO_ROOT / "corpus" / document, documents / document)
    s3 = fresh_account.client("s3")
    library = outputs["library_bucket_name"]
    synced = library_sync(s3, library, documents)
    wait_until_indexed(s3, library, synced.keys)

    # What the state machine's Search state sends, with the caller's own request id where an
    # execution would put its ARN (the session and idempotency key); no workflow record is read.
    workflow = {"workflow_id": "consumer-request-1", "tenant": "consumer", "topic": TOPIC, "max_sources": 2}
    request = {
        "execution_arn": "consumer-request-1",
        "state": "Search",
        "retry_count": 0,
        "workflow": workflow,
        "fallback": False,
    }
    answer = fresh_account.client("lambda").invoke(FunctionName=outputs["search_function_name"], Payload=json.dumps(request))
    result = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, result
    assert result["source_count"] >= 1 and result["cache_hit"] is False, result
    index = json.loads(s3.get_object(Bucket=outputs["artifact_bucket_name"], Key=result["sources_key"])["Body"].read())
    uploaded = {f"s3://{library}/{key}" for key in synced.keys}
    assert [source["id"] for source in index["sources"]] == result["source_ids"]
    for source_id in result["source_ids"]:  # each source's own object, which the summary agent reads
        s3.head_object(Bucket=outputs["artifact_bucket_name"], Key=f"{workflow['workflow_id']}/sources/{source_id}.json")
    assert {source["uri"].split("#", 1)[0] for source in index["sources"]} <= uploaded, index["sources"]

    assert deployer.plan_changes() == []
    tear_down(deployer, outputs["artifact_bucket_name"], library)
    assert leftovers(fresh_account) == {"kms keys": [key_arn.rsplit("/", 1)[-1]]}
