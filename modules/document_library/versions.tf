terraform {
  # 1.9: validations that refer to other variables; the tests/ suites need 1.7 (mock_provider).
  required_version = ">= 1.9, < 2.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Tested with 5.100.0 (the last 5.x release); 6.x is not supported yet (README, "Versions").
      version = ">= 5.100, < 6.0"
    }
  }
}
