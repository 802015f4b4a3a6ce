"""The publish function (handler: publish.handler.lambda_handler)."""
