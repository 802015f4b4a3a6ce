"""The approval_callback function (handler: approval_callback.handler.lambda_handler)."""
