"""Run the research-report workflow offline: moto as the AWS account, the real handlers in-process."""
