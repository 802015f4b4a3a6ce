# The dashboard: completion time, execution failures, agent invocations / latency / retries per
# role (SEARCH on the ResearchReport namespace; the roles are the fallback alarm's and the priced
# ones unless agent_roles names them), and, on request, cost per execution, Lambda errors and DLQ
# depth. The body is decoded and its widgets checked by title and metrics.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name                         = "research-report-test"
  environment                  = "test"
  state_machine_arn            = "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test"
  state_machine_log_group_name = "/aws/vendedlogs/states/research-report-test"
}

run "without_roles_the_dashboard_has_the_execution_and_pre_review_widgets" {
  command = plan

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "research-report-test" && output.dashboard_name == "research-report-test"
    error_message = "The dashboard is named <name>."
  }
  assert {
    condition = [for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title] == [
      "Execution time (ms)",
      "Executions failed / timed out / throttled",
      "Pre-review findings by check",
    ]
    error_message = "Without roles, prices, Lambda functions or DLQs the dashboard has the two execution widgets and the pre-review's: no per-role widget plots nothing."
  }
  assert {
    condition     = alltrue([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.region == "us-east-1"])
    error_message = "Every widget shows the current region."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[0].properties.metrics[0] == [
      "AWS/States", "ExecutionTime", "StateMachineArn", "arn:aws:states:us-east-1:123456789012:stateMachine:research-report-test", { stat = "p50", label = "p50" }
    ]
    error_message = "Completion time is the state machine's ExecutionTime p50 (and p90)."
  }
  assert {
    condition = [for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[1].properties.metrics : m[1]] == [
      "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionThrottled", "ApprovalTimeouts",
    ]
    error_message = "The failure widget shows the three execution metrics and the approval timeouts."
  }
}

run "agent_widgets_plot_one_search_per_role_of_the_fallback_alarm_for_this_environment" {
  command = plan

  variables {
    # The root stack's five agent roles, as it passes them (local.agent_metric_dimensions).
    fallback_alarm = {
      threshold = 1
      role_dimensions = { for role in ["search", "summary", "writer", "reviser", "compliance"] : role => {
        role = role, environment = "test", service = "agent_${role}"
      } }
    }
  }

  assert {
    condition = [for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title] == [
      "Execution time (ms)",
      "Executions failed / timed out / throttled",
      "Agent invocations by role",
      "Agent latency by role (p90)",
      "Retries and fallbacks by role",
      "Pre-review findings by check",
    ]
    error_message = "With roles and without prices, Lambda functions or DLQs the dashboard has the six workflow widgets, in order."
  }
  assert {
    condition     = [for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[2].properties.metrics : m[0].label] == ["compliance", "reviser", "search", "summary", "writer"]
    error_message = "Every role of fallback_alarm.role_dimensions is plotted, the compliance agent included, one line per role."
  }
  assert {
    condition = (
      jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[2].properties.metrics[0][0].expression
      == "SEARCH('Namespace=\"ResearchReport\" MetricName=\"AgentInvocations\" role=\"compliance\" environment=\"test\"', 'Sum', 300)"
    )
    error_message = "Invocations come from a SEARCH on ResearchReport by metric, role and environment."
  }
  assert {
    condition     = strcontains(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[3].properties.metrics[0][0].expression, "MetricName=\"AgentLatencyMs\" role=\"compliance\" environment=\"test\"', 'p90'")
    error_message = "Latency is the p90 of AgentLatencyMs per role."
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[4].properties.metrics) == 10
    error_message = "Retries and fallbacks: two lines per role."
  }
  assert {
    condition     = strcontains(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[4].properties.metrics[5][0].expression, "MetricName=\"FallbackUsed\" role=\"compliance\"")
    error_message = "The compliance agent's fallbacks are plotted beside the other roles'."
  }
}

run "pre_review_findings_are_one_search_per_severity_labelled_by_check" {
  command = plan

  variables {
    environment        = "bu"
    agent_metric_names = { blocking_findings = "Blocking" }
  }

  assert {
    condition = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[2].properties.metrics == [
      [{ id = "blocking", label = "$${PROP('Dim.role')} blocking", expression = "SEARCH('Namespace=\"ResearchReport\" MetricName=\"Blocking\" environment=\"bu\"', 'Sum', 300)" }],
      [{ id = "advisory", label = "$${PROP('Dim.role')} advisory", expression = "SEARCH('Namespace=\"ResearchReport\" MetricName=\"AdvisoryFindings\" environment=\"bu\"', 'Sum', 300)" }],
    ]
    error_message = "Blocking, then advisory findings: a SEARCH for each in this environment finds every check, labelled with its role dimension (the check); agent_metric_names names them."
  }
}

run "the_priced_roles_and_the_fallback_alarms_are_plotted_together" {
  command = plan

  variables {
    fallback_alarm          = { threshold = 1, role_dimensions = { compliance = { role = "compliance" }, search = { role = "search" } } }
    token_prices_usd_per_1k = { search = { input = 0.0008, output = 0.004 }, writer = { input = 0.003, output = 0.015 } }
  }

  assert {
    condition     = [for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[2].properties.metrics : m[0].label] == ["compliance", "search", "writer"]
    error_message = "Without agent_roles, the roles of fallback_alarm.role_dimensions and token_prices_usd_per_1k are plotted, each once, sorted."
  }
}

run "custom_roles_and_metric_names_reach_the_searches" {
  command = plan

  variables {
    environment        = "bu"
    agent_roles        = ["planner", "critic"]
    agent_metric_names = { invocations = "Calls", retries = "Retries", fallbacks = "Fallbacks" }
    fallback_alarm     = { threshold = 1, role_dimensions = { search = { role = "search" } } }
  }

  assert {
    condition = [for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[2].properties.metrics : m[0].expression] == [
      "SEARCH('Namespace=\"ResearchReport\" MetricName=\"Calls\" role=\"planner\" environment=\"bu\"', 'Sum', 300)",
      "SEARCH('Namespace=\"ResearchReport\" MetricName=\"Calls\" role=\"critic\" environment=\"bu\"', 'Sum', 300)",
    ]
    error_message = "agent_roles (in its order, over the fallback alarm's roles), agent_metric_names.invocations and environment shape the invocation searches."
  }
  assert {
    condition = [for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[4].properties.metrics : m[0].label] == [
      "planner retries", "critic retries", "planner fallbacks", "critic fallbacks",
    ]
    error_message = "Retries then fallbacks, one line per role."
  }
  assert {
    condition     = strcontains(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[4].properties.metrics[2][0].expression, "MetricName=\"Fallbacks\" role=\"planner\"")
    error_message = "agent_metric_names.fallbacks shapes the fallback searches."
  }
  assert {
    condition     = strcontains(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[3].properties.metrics[0][0].expression, "MetricName=\"AgentLatencyMs\"")
    error_message = "Names left out of agent_metric_names keep their defaults."
  }
}

run "token_prices_add_the_cost_per_execution_widget" {
  command = plan

  variables {
    token_prices_usd_per_1k = {
      writer = { input = 0.003, output = 0.015 }
      search = { input = 0.0008, output = 0.004 }
    }
    transitions_per_execution = 40
    transition_price_usd      = 0.000025
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[6].properties.title == "Estimated cost per execution (USD): tokens x price + transitions x price"
    error_message = "token_prices_usd_per_1k adds the cost widget after the six workflow widgets."
  }
  assert {
    condition     = [for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[6].properties.metrics : try(m[0].id, m[4].id)] == ["usd0", "usd1", "started", "cost"]
    error_message = "One hidden cost line per priced role (sorted), ExecutionsStarted, then the visible cost per execution."
  }
  assert {
    condition = (
      strcontains(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[6].properties.metrics[0][0].expression, "MetricName=\"InputTokens\" role=\"search\" environment=\"test\"', 'Sum', 3600)) * 0.0008")
      && strcontains(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[6].properties.metrics[1][0].expression, "MetricName=\"OutputTokens\" role=\"writer\" environment=\"test\"', 'Sum', 3600)) * 0.015")
    )
    error_message = "Each role's input and output tokens are priced per 1,000 at that role's prices."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[6].properties.metrics[3][0].expression == "(FILL(usd0, 0) + FILL(usd1, 0)) / started + 40 * 0.000025"
    error_message = "Cost per execution: priced tokens / ExecutionsStarted + transitions_per_execution x transition_price_usd."
  }
}

run "lambda_functions_and_dlqs_add_their_widgets" {
  command = plan

  variables {
    lambda_function_names = {
      validate_input   = "research-report-test-validate_input"
      agent_compliance = "research-report-test-agent_compliance"
      citation_check   = "research-report-test-citation_check"
    }
    dlq_names = ["research-report-test-dlq", "research-report-test-events-dlq"]
  }

  assert {
    condition     = [for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title if contains(["Lambda errors", "DLQ depth"], w.properties.title)] == ["Lambda errors", "DLQ depth"]
    error_message = "lambda_function_names and dlq_names add the Lambda errors and DLQ depth widgets."
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 5
    error_message = "No cost widget without token prices, no per-role widget without roles."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[3].properties.metrics == [
      ["AWS/Lambda", "Errors", "FunctionName", "research-report-test-agent_compliance", { label = "agent_compliance" }],
      ["AWS/Lambda", "Errors", "FunctionName", "research-report-test-citation_check", { label = "citation_check" }],
      ["AWS/Lambda", "Errors", "FunctionName", "research-report-test-validate_input", { label = "validate_input" }],
    ]
    error_message = "Lambda errors are plotted per function, labelled with its key: every function the map names, the pre-review's too."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[4].properties.metrics == [
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "research-report-test-dlq"],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "research-report-test-events-dlq"],
    ]
    error_message = "DLQ depth is each queue's ApproximateNumberOfMessagesVisible."
  }
}
