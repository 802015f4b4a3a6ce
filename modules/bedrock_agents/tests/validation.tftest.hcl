# Each rule of variables.tf has a run whose value breaks that rule and no other; the `valid...`
# runs pass with boundary values and the optional settings given.

mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name = "research-report-test"
  agents = {
    search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    writer = { foundation_model = "anthropic.claude-3-5-sonnet-20240620-v1:0", instruction_path = "tests/fixtures/writer.md" }
  }
}

run "valid_with_every_option_set" {
  command = plan

  variables {
    name = "R"
    agents = {
      search    = { foundation_model = "amazon.nova-lite-v1:0", instruction_path = "tests/fixtures/search.md", description = "Finds sources." }
      writer_v2 = { foundation_model = "meta.llama3-1-70b-instruct-v1:0", instruction_path = "tests/fixtures/writer.md" }
    }
    alias_name                  = "live_2024-06"
    idle_session_ttl_in_seconds = 60
    search_knowledge_base_id    = "ABCDE12345"
    guardrail                   = { identifier = "gr1234abcd", version = "1" }
    kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    tags                        = { team = "research" }
  }
}

run "valid_longest_values" {
  command = plan

  variables {
    # IAM caps the role name <name>-<role>-agent at 64 characters: the longest name that leaves
    # room for a 1-character role has 56, and this role name has exactly 64.
    name = join("", [for i in range(56) : "n"])
    agents = {
      # 100 two-byte characters: the provider's 200-byte description limit.
      r = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md", description = join("", [for i in range(100) : "é"]) }
    }
    alias_name                  = join("", [for i in range(100) : "a"])
    idle_session_ttl_in_seconds = 3600
  }
}

run "valid_longest_role_key" {
  command = plan

  variables {
    # 26 + 1 + 31 + 6: the role name <name>-<role>-agent has exactly 64 characters.
    name = join("", [for i in range(26) : "n"])
    agents = {
      (join("", [for i in range(31) : "r"])) = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
  }
}

run "valid_single_separators" {
  command = plan

  variables {
    # Bedrock allows one '_' or '-' between letters or digits; a role key or alias may end in one
    # (research_report-test-web_search_ is a valid agent name).
    name = "research_report-test"
    agents = {
      web_search_ = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
    alias_name = "live_2024-06-"
  }
}

run "valid_shortest_and_longest_instructions" {
  command = plan

  variables {
    # 40 characters as the provider counts them (UTF-8 code points): its last "t" carries a
    # combining accent with no precomposed form, so Terraform's length() would count 39.
    agents = {
      shortest = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/instructions_40_characters.md" }
      longest  = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/instructions_20000_characters.md" }
    }
  }

  assert {
    condition     = aws_bedrockagent_agent.this["longest"].instruction == file("tests/fixtures/instructions_20000_characters.md")
    error_message = "A 20000-character instruction file is passed on whole."
  }
}

run "valid_search_role_that_is_no_agent_without_a_knowledge_base" {
  command = plan

  variables {
    search_role = "researcher"
  }
}

# --- name -----------------------------------------------------------------------------------

run "name_starting_with_a_hyphen_is_refused" {
  command = plan

  variables {
    name = "-research-report"
  }

  expect_failures = [var.name]
}

run "name_longer_than_56_characters_is_refused" {
  command = plan

  variables {
    name = join("", [for i in range(57) : "n"])
  }

  expect_failures = [var.name]
}

run "name_ending_in_a_hyphen_is_refused" {
  command = plan

  variables {
    name = "research-report-"
  }

  expect_failures = [var.name]
}

run "name_ending_in_an_underscore_is_refused" {
  command = plan

  variables {
    name = "research_report_"
  }

  expect_failures = [var.name]
}

run "name_with_two_hyphens_in_a_row_is_refused" {
  command = plan

  variables {
    name = "research--report"
  }

  expect_failures = [var.name]
}

run "name_with_two_underscores_in_a_row_is_refused" {
  command = plan

  variables {
    name = "research__report"
  }

  expect_failures = [var.name]
}

run "name_with_a_hyphen_then_an_underscore_is_refused" {
  command = plan

  variables {
    name = "research-_report"
  }

  expect_failures = [var.name]
}

# --- agents: roles --------------------------------------------------------------------------

run "agents_without_a_role_is_refused" {
  command = plan

  variables {
    agents = {}
  }

  expect_failures = [var.agents]
}

run "role_key_with_uppercase_letters_is_refused" {
  command = plan

  variables {
    agents = {
      Search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
  }

  expect_failures = [var.agents]
}

run "role_key_longer_than_31_characters_is_refused" {
  command = plan

  variables {
    agents = {
      (join("", [for i in range(32) : "r"])) = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
  }

  expect_failures = [var.agents]
}

run "role_key_with_two_underscores_in_a_row_is_refused" {
  command = plan

  variables {
    agents = {
      web__search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
  }

  expect_failures = [var.agents]
}

# --- agents: derived names (IAM role <name>-<role>-agent, at most 64 characters) ------------

run "role_name_of_65_characters_from_a_long_name_is_refused" {
  command = plan

  variables {
    name = join("", [for i in range(56) : "n"])
    agents = {
      rr = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
  }

  expect_failures = [var.agents]
}

run "role_name_of_65_characters_from_a_long_role_key_is_refused" {
  command = plan

  variables {
    name = join("", [for i in range(27) : "n"])
    agents = {
      search                                 = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
      (join("", [for i in range(31) : "r"])) = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/writer.md" }
    }
  }

  expect_failures = [var.agents]
}

# --- agents: foundation models --------------------------------------------------------------

run "cross_region_inference_profile_is_refused" {
  command = plan

  variables {
    agents = {
      search = { foundation_model = "us.anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
  }

  expect_failures = [var.agents]
}

run "model_id_without_a_provider_prefix_is_refused" {
  command = plan

  variables {
    agents = {
      search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
      writer = { foundation_model = "claude-3-5-sonnet", instruction_path = "tests/fixtures/writer.md" }
    }
  }

  expect_failures = [var.agents]
}

run "model_given_as_an_arn_is_refused" {
  command = plan

  variables {
    agents = {
      search = { foundation_model = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
    }
  }

  expect_failures = [var.agents]
}

# --- agents: descriptions -----------------------------------------------------------------

run "description_of_more_than_200_bytes_is_refused" {
  command = plan

  variables {
    agents = {
      # 101 characters but 202 bytes: the provider counts bytes.
      search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md", description = join("", [for i in range(101) : "é"]) }
    }
  }

  expect_failures = [var.agents]
}

# --- agents: instruction files ------------------------------------------------------------

run "instruction_path_of_a_missing_file_is_refused" {
  command = plan

  variables {
    agents = {
      search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
      writer = { foundation_model = "anthropic.claude-3-5-sonnet-20240620-v1:0", instruction_path = "tests/fixtures/missing.md" }
    }
  }

  expect_failures = [var.agents]
}

run "instruction_of_39_characters_is_refused" {
  command = plan

  variables {
    agents = {
      search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/instructions_39_characters.md" }
    }
  }

  expect_failures = [var.agents]
}

run "instruction_of_20001_characters_is_refused" {
  command = plan

  variables {
    agents = {
      search = { foundation_model = "anthropic.claude-3-haiku-20240307-v1:0", instruction_path = "tests/fixtures/search.md" }
      writer = { foundation_model = "anthropic.claude-3-5-sonnet-20240620-v1:0", instruction_path = "tests/fixtures/instructions_20001_characters.md" }
    }
  }

  expect_failures = [var.agents]
}

# --- alias_name -----------------------------------------------------------------------------

run "alias_name_with_a_space_is_refused" {
  command = plan

  variables {
    alias_name = "live alias"
  }

  expect_failures = [var.alias_name]
}

run "alias_name_longer_than_100_characters_is_refused" {
  command = plan

  variables {
    alias_name = join("", [for i in range(101) : "a"])
  }

  expect_failures = [var.alias_name]
}

run "alias_name_with_two_separators_in_a_row_is_refused" {
  command = plan

  variables {
    alias_name = "live_-2024"
  }

  expect_failures = [var.alias_name]
}

# --- idle_session_ttl_in_seconds ------------------------------------------------------------

run "idle_session_ttl_below_60_seconds_is_refused" {
  command = plan

  variables {
    idle_session_ttl_in_seconds = 59
  }

  expect_failures = [var.idle_session_ttl_in_seconds]
}

run "idle_session_ttl_above_3600_seconds_is_refused" {
  command = plan

  variables {
    idle_session_ttl_in_seconds = 3601
  }

  expect_failures = [var.idle_session_ttl_in_seconds]
}

# --- search_knowledge_base_id ---------------------------------------------------------------

run "knowledge_base_id_of_9_characters_is_refused" {
  command = plan

  variables {
    search_knowledge_base_id = "ABCDE1234"
  }

  expect_failures = [var.search_knowledge_base_id]
}

run "knowledge_base_given_by_arn_is_refused" {
  command = plan

  variables {
    search_knowledge_base_id = "arn:aws:bedrock:us-east-1:123456789012:knowledge-base/ABCDE12345"
  }

  expect_failures = [var.search_knowledge_base_id]
}

# --- search_role --------------------------------------------------------------------------

run "search_role_that_is_no_agent_is_refused_with_a_knowledge_base" {
  command = plan

  variables {
    search_role              = "researcher"
    search_knowledge_base_id = "ABCDE12345"
  }

  expect_failures = [var.search_role]
}

# --- kms_key_arn ----------------------------------------------------------------------------

run "kms_key_arn_that_names_an_alias_is_refused" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/research-report"
  }

  expect_failures = [var.kms_key_arn]
}
