"""The approval_request function (handler: approval_request.handler.lambda_handler)."""
