terraform {
  # 1.9 is the first release whose variable validations may refer to other variables
  # (map_max_concurrency <= bedrock_tps_quota, heartbeat <= timeout).
  required_version = ">= 1.9, < 2.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Tested with 5.100.0 (the last 5.x release); 6.x is not supported yet (README, "Versions").
      version = ">= 5.100, < 6.0"
    }
  }

  # Configured per environment: terraform init -backend-config=../envs/<env>.backend.hcl
  backend "s3" {}
}
