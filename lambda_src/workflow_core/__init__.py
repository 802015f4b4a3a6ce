"""Shared code for every Lambda function of the research-report workflow.

Each deployment zip holds one handler package plus this package at the zip root.
The contract for names, payloads, S3 keys and DynamoDB items is docs/design.md.
"""
