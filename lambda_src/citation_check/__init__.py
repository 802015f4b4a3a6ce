"""The citation check function (handler: citation_check.handler.lambda_handler)."""
