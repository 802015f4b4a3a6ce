"""The validate_input function (handler: validate_input.handler.lambda_handler)."""
