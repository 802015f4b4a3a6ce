"""Put a new random HMAC signing key into the approval signing secret.

Terraform creates the secret but never its value (a value in Terraform would sit in the state and
the plan). Run this once after the first `terraform apply`, and again to rotate: links signed with
the old key stop verifying as soon as the callback's cache (5 minutes) expires, so rotate when no
approval is pending or accept that pending reviewers must be sent a new link.

  make seed-secret ENV=pilot    # or: .venv/bin/python -m scripts.seed_signing_secret --secret-id <ARN>

A secret ARN names its Region, and the key is stored there whatever AWS_REGION says (a name alone
uses the configured Region).
"""

from __future__ import annotations

import argparse
import secrets

import boto3

KEY_BYTES = 48  # 384 bits, above the 256-bit HMAC-SHA256 block-size guidance


def new_signing_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def region_of(secret_id: str) -> str | None:
    """The Region an ARN names (arn:aws:secretsmanager:<region>:...), or None for a name."""
    parts = secret_id.split(":")
    return parts[3] if secret_id.startswith("arn:") and len(parts) > 3 and parts[3] else None


def seed(secret_id: str, client=None) -> str:
    """Store a fresh key as the secret's current version; returns the version id (never the key)."""
    client = client or boto3.client("secretsmanager", region_name=region_of(secret_id))
    return client.put_secret_value(SecretId=secret_id, SecretString=new_signing_key())["VersionId"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--secret-id", required=True, help="ARN or name of the approval signing secret")
    args = parser.parse_args(argv)
    print(f"stored a new signing key as version {seed(args.secret_id)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
