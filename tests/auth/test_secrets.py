"""The argon2 cost of stored secrets: the production default, the setting, and hashes that keep
verifying when the setting changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from service.auth.secrets import DEFAULT_PROFILE, PROFILE_VARIABLE, hasher_for, verify_secret
from service.config import Settings


def test_the_default_is_rfc_9106s_low_memory_profile_in_a_process_without_the_setting() -> None:
    env = {k: v for k, v in os.environ.items() if k != PROFILE_VARIABLE}
    code = "from service.auth.secrets import hash_secret; print(hash_secret('s'))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), out.stdout
    assert Settings.model_fields["secret_hash_profile"].default == DEFAULT_PROFILE


def test_a_hash_verifies_under_any_profile_and_a_wrong_secret_never_does() -> None:
    strong = hasher_for("rfc9106-low-memory").hash("the secret")
    cheap = hasher_for("cheapest").hash("the secret")
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    # This process hashes with the suite's profile; both hashes verify in it.
    assert verify_secret(strong, "the secret") and verify_secret(cheap, "the secret")
    assert not verify_secret(strong, "the secret ") and not verify_secret(cheap, "")
    assert not verify_secret(None, "debarlist-dummy-secret")  # the unknown-id path never succeeds


def test_an_unknown_profile_is_refused_with_the_names_it_could_be() -> None:
    with pytest.raises(ValueError, match="must be one of rfc9106-low-memory, rfc9106-high-memory, cheapest"):
        hasher_for("fast")
    with pytest.raises(ValidationError, match="secret_hash_profile"):
        Settings(secret_hash_profile="fast")  # type: ignore[arg-type]
