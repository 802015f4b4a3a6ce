"""The on_failure function (handler: on_failure.handler.lambda_handler)."""
