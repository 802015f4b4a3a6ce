terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_bedrockagent_agent, _agent_alias and _agent_knowledge_base_association: 5.49+.
      version = ">= 5.49, < 7.0"
    }
  }
}
