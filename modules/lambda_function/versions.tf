terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.32 added `logging_config` and the python3.12 runtime to aws_lambda_function.
      version = ">= 5.32, < 7.0"
    }
  }
}
