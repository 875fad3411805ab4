"""Bounded config input and messages that point at the mistake (issue 20).

Every case is a config file written to `tmp_path` and read with `load_config`; each must be refused with
`ConfigError` and ONE message (one line, or the documented multi-problem form where many independent
mistakes were made) that names the file and the limit, field or value, never a traceback.

Hostile inputs (alias bombs, deep nesting, huge files, thousands of broken entries) are read in a child
process, which measures what `load_config` itself costs: the time with `time.perf_counter` around the call
(the interpreter's start and imports excluded), and the memory as the growth of the peak resident set
(`ru_maxrss`), which counts libyaml's and pydantic-core's allocations that `tracemalloc` does not see. The
child also caps its address space at 200 MiB above what it holds after the imports (`RLIMIT_AS`), so a
regression fails fast (a MemoryError becomes a different message) instead of taking gigabytes from the
machine. Before the bounds, the alias bomb took about a minute and 3.5 GB, and deep nesting ended in a
traceback thousands of lines long.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from federation_constructs.yaml_bounds import YamlLimits, YamlShapeError, check_yaml_shape
from stacks.config import (
    CONFIG_YAML_LIMITS,
    MAX_CONFIG_BYTES,
    ConfigError,
    load_config,
)
from tests.support import REPO

#: what the issue asks: refused in under 2 s and 200 MB (the time is measured around `load_config` only,
#: so it is meaningful on a noisy 2-core machine; the slowest case here takes about 0.6 s)
SECONDS = 2.0
MEGABYTES = 200

BASE = 'name: acme\naccount: "111122223333"\nregion: eu-west-1\n'  # lines 1-3
PROVIDER = "oidc:\n  providers:\n    - {id: GitHub, preset: github_actions}\n  roles:\n"  # lines 4-7


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    """The one message `load_config` refuses `path` with."""
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "Traceback" not in message and 'File "' not in message, message
    assert message.startswith(f"config error: {path}:"), message
    return message


def one_line(path: Path) -> str:
    message = refusal(path)
    assert "\n" not in message, message
    return message


# --- hostile input: measured in a child process -----------------------------------------------------

_MEASURE = """
import json, resource, sys, time
from stacks.config import ConfigError, load_config

def vm_bytes():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None

vm = vm_bytes()
if vm is not None:  # a hard cap: 200 MiB more than the interpreter and the imports hold
    resource.setrlimit(resource.RLIMIT_AS, (vm + 200 * 1024 * 1024, resource.RLIM_INFINITY))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    load_config(sys.argv[1])
    message = None
except ConfigError as exc:
    message = str(exc)
seconds = time.perf_counter() - start
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024  # KiB on Linux -> MiB
print(json.dumps({"message": message, "seconds": seconds, "megabytes": grown}))
"""


def measured(path: Path) -> tuple[str, float, float]:
    """(message, seconds, megabytes) of `load_config(path)` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and not result.stderr, result.stderr[-2000:]
    found: dict[str, Any] = json.loads(result.stdout)
    message = found["message"]
    assert message is not None, f"{path.name} was accepted"
    assert "Traceback" not in message and 'File "' not in message, message
    assert message.startswith(f"config error: {path}:"), message
    return message, found["seconds"], found["megabytes"]


def bounded(path: Path) -> str:
    message, seconds, megabytes = measured(path)
    assert seconds < SECONDS, f"{path.name}: {seconds:.2f} s"
    assert megabytes < MEGABYTES, f"{path.name}: {megabytes:.0f} MB"
    return message


LIMITS = "expected a config within its limits (at most 50 aliases, 32 levels of nesting and 100,000 values"


def billion_laughs() -> str:
    lines = ['  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n']
    lines += [f"  {c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    return BASE + "tags:\n" + "".join(lines)  # line 4: tags, 5: a, 6: b, ... 13: i


def test_the_alias_bomb_is_refused_by_what_it_would_expand_to(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.yaml", billion_laughs())
    message = bounded(path)
    # the 6th level (f, line 10) is the first to pass 100,000 values: 9 ** 6 = 531,441
    assert message == (
        f"config error: {path}:10: expands to more than 100,000 values through its YAML aliases; {LIMITS}; "
        f"see docs/config.md, 'Checked before anything is built')"
    )


def test_many_aliases_are_refused_even_when_they_expand_to_little(tmp_path: Path) -> None:
    path = write(
        tmp_path, "aliases.yaml", BASE + "x: &x a\ntags: {" + ", ".join(f"k{i}: *x" for i in range(60)) + "}\n"
    )
    message = bounded(path)
    assert message.startswith(f"config error: {path}:5: uses more than 50 YAML aliases; {LIMITS}")


def test_a_bomb_under_the_alias_limit_is_refused_by_its_values(tmp_path: Path) -> None:
    # l0 (line 4) is 101 values, l1 about 1,000, l2 10,000, l3 (line 7) 100,000: 30 aliases so far
    levels = "".join(f"l{i + 1}: &l{i + 1} [{', '.join(['*l' + str(i)] * 10)}]\n" for i in range(4))
    path = write(tmp_path, "small-bomb.yaml", BASE + "l0: &l0 [" + ", ".join(["x"] * 100) + "]\n" + levels)
    message = bounded(path)
    assert message.startswith(
        f"config error: {path}:7: expands to more than 100,000 values through its YAML aliases; {LIMITS}"
    )


@pytest.mark.parametrize(
    ("kind", "nested"),
    [("list", "[" * 10_000 + "]" * 10_000), ("mapping", "{a: " * 10_000 + "b" + "}" * 10_000)],
)
def test_a_ten_thousand_level_document_is_refused_by_its_depth(tmp_path: Path, kind: str, nested: str) -> None:
    path = write(tmp_path, f"deep-{kind}.yaml", BASE + "tags: " + nested + "\n")
    message = bounded(path)
    assert message.startswith(f"config error: {path}:4: nests deeper than 32 levels; {LIMITS}")


def test_a_2_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", BASE + "# " + "x" * 2_000_000 + "\n")
    message = bounded(path)
    assert message == (
        f"config error: {path}: is {len(BASE) + 2_000_003:,} bytes; expected a config of at most 1,048,576 bytes (1 MiB; a config "
        f"is a few KB): is it the right file?"
    )


def test_a_10_mb_single_list_is_refused_by_its_size(tmp_path: Path) -> None:
    path = write(tmp_path, "long-list.yaml", BASE + "tags: [" + ", ".join(["a"] * 3_400_000) + "]\n")
    assert path.stat().st_size > 10_000_000
    message = bounded(path)
    assert f"{path}: is {path.stat().st_size:,} bytes; expected a config of at most 1,048,576 bytes" in message


def test_a_long_list_under_the_size_limit_is_refused_by_its_values(tmp_path: Path) -> None:
    path = write(tmp_path, "list.yaml", BASE + "tags: [" + ",".join(["a"] * 500_000) + "]\n")
    assert path.stat().st_size <= MAX_CONFIG_BYTES
    message = bounded(path)
    assert message.startswith(f"config error: {path}:4: expands to more than 100,000 values; {LIMITS}")  # no aliases


def test_a_one_megabyte_line_is_one_short_message(tmp_path: Path) -> None:
    path = write(
        tmp_path, "long-line.yaml", "name: " + "x" * 1_000_000 + '\naccount: "111122223333"\nregion: eu-west-1\n'
    )
    message = bounded(path)
    assert message == (
        f"config error: {path}:1: name: '{'x' * 60}...' (1,000,000 characters) is not accepted; expected a name "
        f"that starts with a letter and holds only letters, digits and hyphens, 1-128 characters (it becomes the "
        f"CloudFormation stack name), e.g. 'acme-federation'"
    )


def test_thousands_of_broken_entries_are_counted_listed_and_bounded(tmp_path: Path) -> None:
    roles = "".join(
        f"    - {{name: D{i}, type: github, provider: GitHub, repositories: [1, 2, 3, 4, 5, 6, 7, 8]}}\n"
        for i in range(4000)
    )
    path = write(tmp_path, "broken.yaml", BASE + PROVIDER + roles)
    message = bounded(path)
    lines = message.splitlines()
    assert lines[0] == f"config error: {path}: 1,000 problems or more"  # the documented multi-problem form
    assert lines[1] == (
        f"  {path}:8: oidc.roles[0].repositories[0]: 1 is not accepted (not a string or a mapping); expected "
        f"'OWNER/REPO' names, or mappings {{name: 'OWNER/REPO', owner_id, repository_id, subject_format}} (at most "
        f"315: each becomes a subject of at least 13 characters, and a trust policy holds at most 4,096 characters)"
    )
    assert len(lines) == 1 + 20 + 2  # the first 20, how many more, where checking stopped
    assert lines[-2] == "  ... and 980 more"
    assert lines[-1] == "  ... and the rest of the file, from oidc.roles[125] on, was not checked"


def test_a_huge_mapping_is_one_message_not_one_per_entry(tmp_path: Path) -> None:
    path = write(tmp_path, "tags.yaml", BASE + "tags: {" + ", ".join(f"k{i}: 1" for i in range(40_000)) + "}\n")
    message = bounded(path)
    assert message.startswith(
        f"config error: {path}:4: tags: 40,000 tags is too many; expected a mapping of at most 50"
    )


# --- not text ------------------------------------------------------------------------------------


def test_a_binary_file_is_named_as_such(tmp_path: Path) -> None:
    path = write(tmp_path, "binary.yaml", bytes(range(256)) * 4)
    assert one_line(path) == (
        f"config error: {path}:1: holds a NUL byte (byte 0), so it is binary or UTF-16/32 text; expected YAML text "
        f"in UTF-8 (save the file as UTF-8)"
    )


def test_a_nul_byte_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.yaml", BASE.encode() + b'tags: {owner: "a\x00b"}\n')
    offset = len(BASE) + len('tags: {owner: "a')
    assert one_line(path).startswith(f"config error: {path}:4: holds a NUL byte (byte {offset})")


def test_a_utf16_file_is_named_as_utf16(tmp_path: Path) -> None:
    path = write(tmp_path, "utf16.yaml", BASE.encode("utf-16"))
    assert (
        one_line(path)
        == f"config error: {path}:1: is UTF-16 text; expected YAML text in UTF-8 (save the file as UTF-8)"
    )


def test_a_latin1_file_names_the_byte_and_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.yaml", (BASE + 'tags: {owner: "Ren\xe9"}\n').encode("latin-1"))
    assert one_line(path) == (
        f"config error: {path}:4: is not UTF-8 text (byte 71 is 0xe9); expected YAML text in UTF-8 (save the file as "
        f"UTF-8)"
    )


def test_a_control_character_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "control.yaml", BASE + 'tags: {owner: "a\x01b"}\n')
    assert one_line(path).startswith(f"config error: {path}: 4: not valid YAML: control characters are not allowed")


# --- lists longer than AWS allows -----------------------------------------------------------------


def role(extra: str = "", repositories: str = "[octo-org/app]") -> str:
    """One GitHub role entry at line 8 (its `provider` at line 11)."""
    return (
        f"    - name: Deploy\n      type: github\n      provider: GitHub\n      repositories: {repositories}\n"
        + textwrap.indent(extra, " " * 6)
    )


def test_more_repositories_than_a_trust_policy_can_hold(tmp_path: Path) -> None:
    names = "[" + ", ".join(f"octo-org/repo-{i}" for i in range(316)) + "]"
    path = write(tmp_path, "repos.yaml", BASE + PROVIDER + role(repositories=names))
    message = one_line(path)
    assert message.startswith(
        f"config error: {path}:11: oidc.roles[0].repositories: 316 entries are too many (at most 315); expected "
        f"'OWNER/REPO' names"
    )
    assert "a trust policy holds at most 4,096 characters" in message  # the reason for the bound


def test_more_branches_than_a_trust_policy_can_hold(tmp_path: Path) -> None:
    branches = "branches: [" + ", ".join(f"b{i}" for i in range(400)) + "]\n"
    path = write(tmp_path, "branches.yaml", BASE + PROVIDER + role(branches))
    assert one_line(path).startswith(
        f"config error: {path}:12: oidc.roles[0].branches: 400 entries are too many (at most 315); expected branch names"
    )


def test_more_statements_than_an_inline_policy_can_hold(tmp_path: Path) -> None:
    statement = "  - {actions: ['s3:GetObject'], resources: ['*']}\n"
    path = write(tmp_path, "statements.yaml", BASE + PROVIDER + role("statements:\n" + statement * 101))
    message = one_line(path)
    assert message.startswith(
        f"config error: {path}:12: oidc.roles[0].statements: 101 entries are too many (at most 100); expected inline "
        f"policy statements"
    )
    assert "IAM holds at most 10,240 characters of inline policy per role" in message


def test_more_roles_than_iam_allows_in_an_account(tmp_path: Path) -> None:
    roles = "".join(
        f"    - {{name: D{i}, type: github, provider: GitHub, repositories: [a/r{i}]}}\n" for i in range(5001)
    )
    path = write(tmp_path, "roles.yaml", BASE + PROVIDER + roles)
    message = bounded(path)
    assert message.startswith(
        f"config error: {path}:7: oidc.roles: 5,001 entries are too many (at most 5,000); expected roles their tokens "
        f"may assume (at most 5,000: IAM's highest quota of roles per account)"
    )


def test_more_roles_than_iam_allows_across_sections(tmp_path: Path) -> None:
    oidc = "".join(
        f"    - {{name: O{i}, type: github, provider: GitHub, repositories: [a/r{i}]}}\n" for i in range(3000)
    )
    saml = "saml:\n  providers:\n    - {id: Corp, existing_name: corp}\n  roles:\n" + "".join(
        f"    - {{name: S{i}, provider: Corp}}\n" for i in range(2001)
    )
    path = write(tmp_path, "sections.yaml", BASE + PROVIDER + oidc + saml)
    message = bounded(path)
    line = 4 + 4 + 3000 + 3  # `roles:` of the saml section
    assert message == (
        f"config error: {path}:{line}: saml.roles: 5,001 roles in all is not accepted; expected at most 5,000 (IAM's "
        f"highest quota of roles per account, and every account this config deploys to gets them all)"
    )


def test_more_tags_than_aws_allows(tmp_path: Path) -> None:
    path = write(tmp_path, "tags.yaml", BASE + "tags: {" + ", ".join(f"k{i}: v" for i in range(51)) + "}\n")
    assert one_line(path).startswith(
        f"config error: {path}:4: tags: 51 tags is too many; expected a mapping of at most 50"
    )


# --- messages that pointed elsewhere -------------------------------------------------------------


def test_a_missing_role_type_lists_the_types(tmp_path: Path) -> None:
    path = write(tmp_path, "type.yaml", BASE + PROVIDER + "    - {name: Deploy, provider: GitHub}\n")
    assert one_line(path) == (
        f"config error: {path}:8: oidc.roles[0].type: required key is missing; expected one of 'github', 'gitlab', "
        f"'hcp_terraform', 'eks', 'generic', 'web_identity'"
    )


def test_a_missing_preset_lists_the_presets(tmp_path: Path) -> None:
    path = write(tmp_path, "preset.yaml", BASE + "oidc:\n  providers:\n    - {id: GitHub}\n")
    assert one_line(path) == (
        f"config error: {path}:6: oidc.providers[0].preset: required key is missing; expected one of "
        f"'github_actions', 'gitlab', 'hcp_terraform', 'eks', 'circleci', 'bitbucket', 'apple', 'custom'"
    )


def test_a_missing_key_without_a_description_says_its_type(tmp_path: Path) -> None:
    entry = "    - {name: Plan, type: hcp_terraform, provider: GitHub, workspaces: [app]}\n"
    path = write(tmp_path, "organization.yaml", BASE + PROVIDER + entry)
    assert (
        one_line(path)
        == f"config error: {path}:8: oidc.roles[0].organization: required key is missing; expected a string"
    )


def test_a_mapping_repository_with_a_bad_name_is_one_message_with_the_users_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "name.yaml", BASE + PROVIDER + role(repositories="\n        - name: 5"))
    assert one_line(path) == (
        f"config error: {path}:12: oidc.roles[0].repositories[0].name: 5 is not accepted (not a string); expected "
        f"the repository's 'OWNER/REPO' name"
    )


def test_a_repository_that_is_neither_text_nor_a_mapping_is_one_message(tmp_path: Path) -> None:
    path = write(tmp_path, "number.yaml", BASE + PROVIDER + role(repositories="[42]"))
    message = one_line(path)
    assert message.startswith(
        f"config error: {path}:11: oidc.roles[0].repositories[0]: 42 is not accepted (not a string or a mapping); "
        f"expected 'OWNER/REPO' names, or mappings {{name: 'OWNER/REPO', owner_id, repository_id, subject_format}}"
    )
    assert ".str" not in message and "GitHubRepositoryConfig" not in message


def test_a_bad_owner_id_names_the_owner_id_and_what_it_takes(tmp_path: Path) -> None:
    path = write(
        tmp_path, "owner.yaml", BASE + PROVIDER + role(repositories="\n        - {name: octo-org/app, owner_id: -1}")
    )
    assert one_line(path) == (
        f"config error: {path}:12: oidc.roles[0].repositories[0].owner_id: -1 is not accepted (input should be "
        f"greater than 0); expected the owner's numeric id"
    )


def test_an_unknown_key_in_a_mapping_repository_lists_its_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "key.yaml", BASE + PROVIDER + role(repositories="\n        - {name: octo-org/app, id: 7}"))
    assert one_line(path) == (
        f"config error: {path}:12: oidc.roles[0].repositories[0].id: unknown key; accepted keys here: name, owner_id, "
        f"repository_id, subject_format"
    )


def test_a_condition_value_that_is_neither_text_nor_a_list_is_one_message(tmp_path: Path) -> None:
    statement = "statements:\n  - actions: ['s3:GetObject']\n    resources: ['*']\n    conditions: {StringEquals: {'aws:x': 5}}\n"
    path = write(tmp_path, "condition.yaml", BASE + PROVIDER + role(statement))
    assert one_line(path).startswith(
        f"config error: {path}:15: oidc.roles[0].statements[0].conditions.StringEquals.aws:x: 5 is not accepted (not a "
        f"string or a list); expected operator -> "
    )


def test_an_unknown_provider_points_at_the_reference(tmp_path: Path) -> None:
    other = "    - name: Other\n      type: github\n      provider: GitLab\n      repositories: [octo-org/other]\n"
    path = write(tmp_path, "provider.yaml", BASE + PROVIDER + role() + other)
    assert one_line(path) == (
        f"config error: {path}:14: oidc.roles[1].provider: provider 'GitLab' of role 'Other' is not declared; "
        f"declared providers: GitHub"
    )


def test_a_role_name_used_twice_points_at_the_second(tmp_path: Path) -> None:
    path = write(tmp_path, "twice.yaml", BASE + PROVIDER + role() + role())
    assert one_line(path) == (
        f"config error: {path}:12: oidc.roles[1].name: role name 'Deploy' is used twice (first by oidc.roles[0]); "
        f"each name must be unique"
    )


def test_an_iam_role_name_used_twice_points_at_its_role_name(tmp_path: Path) -> None:
    other = "    - name: Other\n      type: github\n      provider: GitHub\n      repositories: [octo-org/other]\n"
    path = write(tmp_path, "iam-name.yaml", BASE + PROVIDER + role() + other + "      role_name: acme-Deploy\n")
    assert one_line(path) == (
        f"config error: {path}:16: oidc.roles[1].role_name: role name 'acme-Deploy' of oidc.roles[1] (Other) is "
        f"already the name of oidc.roles[0] (Deploy); expected a name unique in the account (IAM role names are "
        f"unique per account, case-insensitively): set role_name on one of them"
    )


def test_a_long_default_path_points_at_role_defaults_path(tmp_path: Path) -> None:
    defaults = "role_defaults:\n  path: /" + "a" * 49 + "/\n"
    path = write(tmp_path, "path.yaml", BASE + defaults + PROVIDER + role())
    assert one_line(path).startswith(f"config error: {path}:5: role_defaults.path: '/{'a' * 49}/' is not accepted")


def test_a_storage_grant_of_an_unknown_role_points_at_its_role(tmp_path: Path) -> None:
    grants = "storage:\n  grants:\n    - role: Deploy\n      levels: {private: [read]}\n    - role: Nobody\n"
    path = write(tmp_path, "grant.yaml", BASE + PROVIDER + role() + grants + "      levels: {private: [read]}\n")
    assert one_line(path) == (
        f"config error: {path}:16: storage.grants[1].role: 'Nobody' is not a role of this config; expected one of Deploy"
    )


def test_an_identity_pool_provider_not_declared_points_at_it(tmp_path: Path) -> None:
    pool = "identity_pool:\n  oidc_providers: [GitHub, Corporate]\n"
    path = write(tmp_path, "pool.yaml", BASE + PROVIDER + role() + pool)
    assert one_line(path) == (
        f"config error: {path}:13: identity_pool.oidc_providers[1]: 'Corporate' is not in oidc.providers (GitHub)"
    )


# --- YAML that PyYAML cannot build --------------------------------------------------------------


def test_a_list_as_a_key_is_refused_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "key.yaml", BASE + "? [a, b]\n: c\n")
    assert one_line(path) == f"config error: {path}: 4:3: not valid YAML: a list is not accepted as a key"


def test_an_impossible_date_is_refused_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "date.yaml", BASE + "tags: {since: 2024-13-45}\n")
    assert one_line(path) == (
        f"config error: {path}: 4:15: not valid YAML: '2024-13-45' is not a valid date (month must be in 1..12)"
    )


def test_merge_keys_still_work_and_explicit_keys_win(tmp_path: Path) -> None:
    text = (
        BASE
        + "role_defaults: &defaults {path: /federation/}\noidc:\n  providers:\n    - {id: GitHub, preset: github_actions}\n"
    )
    text += "  roles:\n    - <<: *defaults\n      name: Deploy\n      type: github\n      provider: GitHub\n"
    text += "      repositories: [octo-org/app]\n      path: /ci/\n"
    config = load_config(write(tmp_path, "merge.yaml", text))
    assert config.oidc is not None and config.oidc.roles[0].path == "/ci/"


# --- the shared check -----------------------------------------------------------------------------


def test_the_config_and_federation_lint_share_one_event_stream_check() -> None:
    assert CONFIG_YAML_LIMITS == YamlLimits(aliases=50, depth=32, nodes=100_000)
    with pytest.raises(YamlShapeError) as caught:
        check_yaml_shape("a: [[[x]]]\n", YamlLimits(aliases=1, nodes=100, depth=3))
    assert (str(caught.value), caught.value.line) == ("nests deeper than 3 levels", 1)
    check_yaml_shape("a: [[[x]]]\n", YamlLimits(aliases=1, nodes=100, depth=4))  # within: no error


def test_every_example_config_still_loads() -> None:
    for path in sorted((REPO / "examples").glob("*.yaml")):
        load_config(path)


# --- digits and word characters are ASCII where AWS's are -------------------------------------------
# Python's `re` and pydantic-core's Rust regex both read `\d` as any Unicode digit: '١١١١٢٢٢٢٣٣٣٣' (Arabic-Indic)
# matched `\d{12}` and went into ARNs that no account has. Account ids, regions, policy ARNs and names are
# ASCII in AWS's API patterns, so the checks now say [0-9] (or re.ASCII).

ARABIC_ACCOUNT = "١١١١٢٢٢٢٣٣٣٣"


def test_an_account_of_non_ascii_digits_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "account.yaml", BASE.replace("111122223333", ARABIC_ACCOUNT) + PROVIDER + role())
    message = one_line(path)
    assert "account" in message and ARABIC_ACCOUNT in message, message


def test_a_target_account_of_non_ascii_digits_is_refused(tmp_path: Path) -> None:
    targets = f'targets:\n  accounts:\n    - {{account: "{ARABIC_ACCOUNT}", name: dev}}\n'
    path = write(tmp_path, "targets.yaml", BASE + targets + PROVIDER + role())
    message = one_line(path)
    assert f"{path}:6:" in message and "account" in message, message


def test_cdk_deploy_accounts_of_non_ascii_digits_are_refused(tmp_path: Path) -> None:
    extra = f'cdk_deploy: {{accounts: ["{ARABIC_ACCOUNT}"]}}\n'
    path = write(tmp_path, "cdk-deploy.yaml", BASE + PROVIDER + role(extra))
    message = one_line(path)
    assert "cdk_deploy.accounts" in message and ARABIC_ACCOUNT in message, message


def test_a_customer_managed_policy_arn_keeps_its_check_without_a_schema_pattern(tmp_path: Path) -> None:
    # the ARN pattern moved from pydantic's `pattern=` (a 35 ms Unicode DFA at every load) into the validator
    for arn in ("arn:aws:iam::111122223333:polic/ci", f"arn:aws:iam::{ARABIC_ACCOUNT}:policy/ci", "ci-deploy"):
        extra = f'customer_managed_policies: ["{arn}"]\n'
        path = write(tmp_path, "policy.yaml", BASE + PROVIDER + role(extra))
        message = one_line(path)
        assert "customer_managed_policies" in message and arn in message and "policy ARN" in message, message
    ok_arn = "arn:aws:iam::111122223333:policy/team/ci"
    ok = write(tmp_path, "ok.yaml", BASE + PROVIDER + role(f'customer_managed_policies: ["{ok_arn}"]\n'))
    assert load_config(ok).oidc is not None


def test_a_principal_tag_key_keeps_its_length_bound(tmp_path: Path) -> None:
    # `{1,128}` became `+` with max_length=128 (the counted Unicode class cost 38 ms to build)
    from stacks.storage_config import PrincipalTagSource

    assert PrincipalTagSource.model_validate({"principal_tag": "ü" * 128}).principal_tag == "ü" * 128
    for bad in ("ü" * 129, "", "user id"):
        with pytest.raises(ValueError):
            PrincipalTagSource.model_validate({"principal_tag": bad})
