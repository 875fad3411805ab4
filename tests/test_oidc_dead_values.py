"""Dead-trust values in the typed OIDC roles (issue 20): names no token of the issuer can ever carry
are refused at construction, and the typed roles agree on wildcards.

Each refusal names the construct path, the field, the value and the fix (the form of
`federation_constructs.errors.invalid`). The accepted edge cases sit at the documented limits
(`federation_constructs.oidc.names` cites them). Nothing is synthesized: one app and one stack serve
the whole module, every test adds constructs under its own id.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from constructs import IConstruct

from federation_constructs.errors import FederationValidationError, PresetValueError
from federation_constructs.oidc import (
    EksServiceAccountRole,
    GitHubActionsRole,
    GitHubRepository,
    GitLabCiRole,
    HcpTerraformRole,
    OidcIssuer,
    OidcProvider,
    OidcRole,
)
from federation_constructs.report.review import collect_opt_ins
from stacks.build import build_stacks
from stacks.config import load_config
from tests.support import new_app, refused

STACK = "DeadValues"
EKS_REGION = "eu-west-1"
EKS_CLUSTER = "0123456789ABCDEF0123456789ABCDEF"
GH = "token.actions.githubusercontent.com"


@dataclass(frozen=True)
class Env:
    app: App
    stack: Stack
    github: OidcProvider
    gitlab: OidcProvider
    hcp: OidcProvider
    eks: OidcProvider


@pytest.fixture(scope="module")
def env() -> Env:
    app = new_app()
    stack = Stack(app, STACK, env=Environment(account="111122223333", region="eu-west-1"))
    return Env(
        app=app,
        stack=stack,
        github=OidcProvider(stack, "GitHub", issuer=OidcIssuer.github_actions()),
        gitlab=OidcProvider(stack, "GitLab", issuer=OidcIssuer.gitlab()),
        hcp=OidcProvider(stack, "Hcp", issuer=OidcIssuer.hcp_terraform()),
        eks=OidcProvider(stack, "Eks", issuer=OidcIssuer.eks(region=EKS_REGION, cluster_id=EKS_CLUSTER)),
    )


def github(env: Env, cid: str, **kwargs: Any) -> GitHubActionsRole:
    kwargs.setdefault("repositories", ["octo-org/app"])
    return GitHubActionsRole(env.stack, cid, provider=env.github, **kwargs)


def gitlab(env: Env, cid: str, **kwargs: Any) -> GitLabCiRole:
    kwargs.setdefault("projects", ["platform/infra"])
    return GitLabCiRole(env.stack, cid, provider=env.gitlab, **kwargs)


def hcp(env: Env, cid: str, **kwargs: Any) -> HcpTerraformRole:
    kwargs.setdefault("organization", "acme")
    kwargs.setdefault("workspaces", ["prod-net"])
    return HcpTerraformRole(env.stack, cid, provider=env.hcp, **kwargs)


def eks(env: Env, cid: str, **kwargs: Any) -> EksServiceAccountRole:
    kwargs.setdefault("cluster_region", EKS_REGION)
    kwargs.setdefault("cluster_id", EKS_CLUSTER)
    kwargs.setdefault("namespace", "apps")
    kwargs.setdefault("service_accounts", ["deployer"])
    return EksServiceAccountRole(env.stack, cid, provider=env.eks, **kwargs)


ROLES = {"github": github, "gitlab": gitlab, "hcp": hcp, "eks": eks}


def warnings_of(construct: IConstruct) -> list[str]:
    return [str(entry.data) for entry in construct.node.metadata if entry.type == "aws:cdk:warning"]


# --- refusals: (role, keyword arguments, field, the refused value, phrases of the fix) ---------

DEAD = [
    # full refs where a name is expected
    (
        "github",
        {"branches": ["refs/heads/main"]},
        "branches",
        "refs/heads/main",
        ["not a full ref", "did you mean 'main'?"],
    ),
    ("github", {"tags": ["refs/tags/v1"]}, "tags", "refs/tags/v1", ["not a full ref", "did you mean 'v1'?"]),
    ("github", {"branches": ["refs/tags/v1"]}, "branches", "refs/tags/v1", ["is a tag", "did you mean tags=['v1']?"]),
    ("github", {"tags": ["refs/heads/x"]}, "tags", "refs/heads/x", ["is a branch", "did you mean branches=['x']?"]),
    ("github", {"branches": ["refs/pull/7/merge"]}, "branches", "refs/pull/7/merge", ["pull_requests=True"]),
    ("gitlab", {"refs": ["refs/heads/main"]}, "refs", "refs/heads/main", ["not full refs", "did you mean 'main'?"]),
    (
        "gitlab",
        {"refs": ["refs/tags/v1"]},
        "refs",
        "refs/tags/v1",
        ["is a tag", "did you mean ref_type='tag' with refs=['v1']?"],
    ),
    (
        "gitlab",
        {"ref_type": "tag", "refs": ["refs/heads/main"]},
        "refs",
        "refs/heads/main",
        ["is a branch", "ref_type='branch'"],
    ),
    # the subject's separator inside a name
    ("github", {"branches": ["feat:x"]}, "branches", "feat:x", ["git forbids ':'", "separates the fields"]),
    ("github", {"repositories": ["octo-org/app:x"]}, "repositories", "octo-org/app:x", ["':' separates the fields"]),
    ("github", {"repositories": ["octo:org/app"]}, "repositories", "octo:org/app", ["':' separates the fields"]),
    ("gitlab", {"projects": ["platform/app:x"]}, "projects", "platform/app:x", ["':' separates the fields"]),
    ("gitlab", {"refs": ["rel:1"]}, "refs", "rel:1", ["git forbids ':'"]),
    ("hcp", {"projects": ["Net:x"]}, "projects", "Net:x", ["':' separates the fields"]),
    ("hcp", {"workspaces": ["prod:net"]}, "workspaces", "prod:net", ["':' separates the fields"]),
    ("hcp", {"organization": "acme:prod"}, "organization", "acme:prod", ["':' separates the fields"]),
    ("eks", {"namespace": "apps:x"}, "namespace", "apps:x", ["':' separates the fields"]),
    ("eks", {"service_accounts": ["api:x"]}, "service_accounts", "api:x", ["':' separates the fields"]),
    # branch and tag names git forbids (git check-ref-format)
    ("github", {"branches": ["feature..x"]}, "branches", "feature..x", ["git forbids '..'"]),
    ("github", {"branches": ["-hotfix"]}, "branches", "-hotfix", ["starts with '-'"]),
    ("github", {"branches": ["topic.lock"]}, "branches", "topic.lock", ["ends with '.lock'"]),
    ("github", {"branches": ["release/"]}, "branches", "release/", ["empty path component"]),
    ("github", {"branches": ["a//b"]}, "branches", "a//b", ["empty path component"]),
    ("github", {"branches": ["x@{1}"]}, "branches", "x@{1}", ["git forbids '@{'"]),
    ("github", {"branches": ["a~1"]}, "branches", "a~1", ["git forbids '~'"]),
    ("github", {"branches": ["fix[1]"]}, "branches", "fix[1]", ["git forbids '['"]),
    ("github", {"branches": ["a\\b"]}, "branches", "a\\b", ["git forbids '\\\\'"]),
    ("github", {"branches": ["bell\x07"]}, "branches", "bell\x07", ["git forbids U+0007"]),
    ("github", {"branches": [".hidden"]}, "branches", ".hidden", ["starts with '.'"]),
    ("github", {"tags": ["v1."]}, "tags", "v1.", ["ends with '.'"]),
    ("github", {"tags": ["@"]}, "tags", "@", ["the name '@'"]),
    ("gitlab", {"refs": ["release/1..2"]}, "refs", "release/1..2", ["git check-ref-format", "'..'"]),
    ("gitlab", {"ref_type": "tag", "refs": ["-v1"]}, "refs", "-v1", ["tag name that starts with '-'"]),
    # names longer than the issuer allows
    ("github", {"repositories": ["a" * 40 + "/app"]}, "repositories", "a" * 40 + "/app", ["at most 39 characters"]),
    ("github", {"repositories": ["o/" + "r" * 101]}, "repositories", "o/" + "r" * 101, ["at most 100 characters"]),
    ("github", {"environments": ["e" * 256]}, "environments", "e" * 256, ["at most 255 characters"]),
    ("gitlab", {"projects": ["g/" + "p" * 256]}, "projects", "g/" + "p" * 256, ["at most 255 characters"]),
    ("hcp", {"workspaces": ["w" * 261]}, "workspaces", "w" * 261, ["at most 260 characters"]),
    ("hcp", {"projects": ["p" * 41]}, "projects", "p" * 41, ["3 to 40 characters"]),
    ("hcp", {"projects": ["ab"]}, "projects", "ab", ["3 to 40 characters"]),
    ("eks", {"namespace": "n" * 64}, "namespace", "n" * 64, ["at most 63 characters"]),
    ("eks", {"service_accounts": ["s" * 254]}, "service_accounts", "s" * 254, ["at most 253 characters"]),
    # characters (and forms) the issuer forbids
    ("github", {"repositories": ["octo-org/app.wiki"]}, "repositories", "octo-org/app.wiki", ["'.wiki'"]),
    ("github", {"repositories": ["octo-org/.."]}, "repositories", "octo-org/..", ["path segment"]),
    ("github", {"repositories": ["octo-org/.git"]}, "repositories", "octo-org/.git", ["'.git' suffix"]),
    ("gitlab", {"projects": ["platform/-app"]}, "projects", "platform/-app", ["cannot start with '-'"]),
    ("gitlab", {"projects": ["platform/app.git"]}, "projects", "platform/app.git", ["'.git' or '.atom'"]),
    ("gitlab", {"projects": ["platform/feed.atom"]}, "projects", "platform/feed.atom", ["'.git' or '.atom'"]),
    ("gitlab", {"projects": ["plat@form/app"]}, "projects", "plat@form/app", ["not '@'"]),
    ("hcp", {"workspaces": ["prod.net"]}, "workspaces", "prod.net", ["letters, numbers, '-' and '_'", "not '.'"]),
    ("hcp", {"workspaces": ["prod net"]}, "workspaces", "prod net", ["not a space"]),
    ("hcp", {"projects": [" Network"]}, "projects", " Network", ["start or end with a space"]),
    ("hcp", {"projects": ["Net.work"]}, "projects", "Net.work", ["not '.'"]),
    ("eks", {"namespace": "Apps"}, "namespace", "Apps", ["RFC 1123 label", "did you mean 'apps'?"]),
    ("eks", {"namespace": "team.apps"}, "namespace", "team.apps", ["RFC 1123 label", "not '.'"]),
    ("eks", {"namespace": "apps-"}, "namespace", "apps-", ["starts and ends with a lower-case letter or a digit"]),
    ("eks", {"service_accounts": ["Deployer"]}, "service_accounts", "Deployer", ["did you mean 'deployer'?"]),
    ("eks", {"service_accounts": ["deploy_bot"]}, "service_accounts", "deploy_bot", ["RFC 1123 subdomain", "'_'"]),
    ("eks", {"service_accounts": [".deployer"]}, "service_accounts", ".deployer", ["starts and ends"]),
    # empty path segments, '.' and '..'
    ("gitlab", {"projects": ["group//project"]}, "projects", "group//project", ["an empty path segment"]),
    ("gitlab", {"projects": ["/group/project"]}, "projects", "/group/project", ["an empty path segment"]),
    ("gitlab", {"projects": ["group/project/"]}, "projects", "group/project/", ["an empty path segment"]),
    ("gitlab", {"projects": ["group/../project"]}, "projects", "group/../project", ["the path segment '..'"]),
    ("gitlab", {"projects": ["group/./project"]}, "projects", "group/./project", ["the path segment '.'"]),
    # wildcards below the owner need their opt-in, as GitHub's repositories do
    ("gitlab", {"projects": ["platform/*"]}, "projects", "platform/*", ["allow_project_wildcards=True"]),
    ("gitlab", {"projects": ["platform/app-*"]}, "projects", "platform/app-*", ["allow_project_wildcards=True"]),
    ("gitlab", {"projects": ["platform/team/*"]}, "projects", "platform/team/*", ["including ones created later"]),
    ("hcp", {"workspaces": ["prod-*"]}, "workspaces", "prod-*", ["allow_any_workspace=True", "created later"]),
    ("hcp", {"projects": ["Net*"]}, "projects", "Net*", ["allow_any_workspace=True"]),
    ("eks", {"service_accounts": ["app-*"]}, "service_accounts", "app-*", ["allow_any_service_account=True"]),
]


def _case_id(case: tuple[str, dict[str, Any], str, str, list[str]]) -> str:
    kind, _, field, value, _ = case
    safe = "".join(c if c.isalnum() else "_" for c in value[:24])
    return f"{kind}-{field}-{safe}-{len(value)}"


@pytest.mark.parametrize(("kind", "kwargs", "field", "value", "hints"), DEAD, ids=[_case_id(c) for c in DEAD])
def test_dead_value_is_refused_at_construction(
    env: Env, cid: str, path: str, kind: str, kwargs: dict[str, Any], field: str, value: str, hints: list[str]
) -> None:
    with refused(path, field, value, *hints):
        ROLES[kind](env, cid, **kwargs)
    assert env.stack.node.try_find_child(cid) is not None  # the role's scope exists: the path is real


def test_there_are_at_least_25_dead_value_cases() -> None:
    assert len(DEAD) >= 25
    assert {kind for kind, *_ in DEAD} == set(ROLES)


def test_bitbucket_workspace_id_in_upper_case_is_refused_with_the_lower_case_one() -> None:
    with pytest.raises(PresetValueError) as err:
        OidcIssuer.bitbucket(workspace="Acme", audience="ari:cloud:bitbucket::workspace/x")
    message = str(err.value)
    assert message.startswith("OidcIssuer.bitbucket: workspace='Acme' is not accepted; expected the workspace slug")
    assert "did you mean 'acme'?" in message


def test_bitbucket_workspace_id_with_underscore_passes() -> None:
    issuer = OidcIssuer.bitbucket(workspace="acme_eu-1", audience="ari:cloud:bitbucket::workspace/x")
    assert "/workspaces/acme_eu-1/" in issuer.url


# --- accepted edge cases ----------------------------------------------------------------------

ACCEPTED = [
    ("github", {"repositories": ["a" * 39 + "/app"]}, "repo:" + "a" * 39 + "/app:ref:refs/heads/main"),
    ("github", {"repositories": ["o/" + "r" * 100]}, "repo:o/" + "r" * 100 + ":ref:refs/heads/main"),
    ("github", {"repositories": ["octo-org/my.repo_x-1"]}, "repo:octo-org/my.repo_x-1:ref:refs/heads/main"),
    ("github", {"repositories": ["octo-org/.github"]}, "repo:octo-org/.github:ref:refs/heads/main"),
    ("github", {"branches": ["release/v1.2"]}, "repo:octo-org/app:ref:refs/heads/release/v1.2"),
    ("github", {"branches": ["feature/x-y_z@2"]}, "repo:octo-org/app:ref:refs/heads/feature/x-y_z@2"),
    ("github", {"branches": ["heads/main"]}, "repo:octo-org/app:ref:refs/heads/heads/main"),
    ("github", {"branches": ["release/*"]}, "repo:octo-org/app:ref:refs/heads/release/*"),
    ("github", {"tags": ["v1.0.0-rc.1"]}, "repo:octo-org/app:ref:refs/tags/v1.0.0-rc.1"),
    ("github", {"environments": ["e" * 255]}, "repo:octo-org/app:environment:" + "e" * 255),
    ("github", {"environments": ["prod.eu/1"]}, "repo:octo-org/app:environment:prod.eu/1"),
    ("gitlab", {"projects": ["g/" + "p" * 255]}, "project_path:g/" + "p" * 255 + ":ref_type:branch:ref:main"),
    (
        "gitlab",
        {"projects": ["my_group/sub.group/pro.ject"]},
        "project_path:my_group/sub.group/pro.ject:ref_type:branch:ref:main",
    ),
    ("gitlab", {"projects": ["_legacy/.hidden"]}, "project_path:_legacy/.hidden:ref_type:branch:ref:main"),
    ("gitlab", {"refs": ["release/1.x"]}, "project_path:platform/infra:ref_type:branch:ref:release/1.x"),
    ("gitlab", {"ref_type": "tag", "refs": ["v1.*"]}, "project_path:platform/infra:ref_type:tag:ref:v1.*"),
    (
        "hcp",
        {"workspaces": ["w" * 260], "run_phases": ["plan"]},
        "organization:acme:project:Default Project:workspace:" + "w" * 260 + ":run_phase:plan",
    ),
    (
        "hcp",
        {"workspaces": ["prod_net-1"], "projects": ["p" * 40], "run_phases": ["apply"]},
        "organization:acme:project:" + "p" * 40 + ":workspace:prod_net-1:run_phase:apply",
    ),
    (
        "hcp",
        {"projects": ["Net"], "run_phases": ["plan"]},
        "organization:acme:project:Net:workspace:prod-net:run_phase:plan",
    ),
    (
        "hcp",
        {"projects": ["Core Network_2"], "run_phases": ["plan"]},
        "organization:acme:project:Core Network_2:workspace:prod-net:run_phase:plan",
    ),
    ("eks", {"namespace": "n" * 63}, "system:serviceaccount:" + "n" * 63 + ":deployer"),
    ("eks", {"service_accounts": ["a." + "s" * 251]}, "system:serviceaccount:apps:a." + "s" * 251),
    ("eks", {"service_accounts": ["team.deploy-bot2"]}, "system:serviceaccount:apps:team.deploy-bot2"),
    ("eks", {"namespace": "0-kube"}, "system:serviceaccount:0-kube:deployer"),
]


@pytest.mark.parametrize(
    ("kind", "kwargs", "subject"), ACCEPTED, ids=[f"{k}-{i:02d}" for i, (k, _, _) in enumerate(ACCEPTED)]
)
def test_name_at_the_issuers_limits_passes(env: Env, cid: str, kind: str, kwargs: dict[str, Any], subject: str) -> None:
    role = ROLES[kind](env, cid, **kwargs)
    assert subject in role.subjects
    assert warnings_of(role) == []
    # the intent (what the proofs check) is written from the same names as the trust
    assert set(role.intent.claims[1].values) == set(role.subjects)


# --- wildcards: one class, one named opt-in, recorded in the role's opt-ins ----------------------

OPTED_IN = [
    ("gitlab", {"projects": ["platform/*"], "allow_project_wildcards": True}, "allow_project_wildcards"),
    (
        "gitlab",
        {"projects": ["platform/app-*", "platform/infra"], "allow_project_wildcards": True},
        "allow_project_wildcards",
    ),
    ("hcp", {"workspaces": ["prod-*"], "allow_any_workspace": True}, "allow_any_workspace"),
    ("hcp", {"projects": ["Net*"], "allow_any_workspace": True}, "allow_any_workspace"),
    ("eks", {"service_accounts": ["app-*"], "allow_any_service_account": True}, "allow_any_service_account"),
    ("github", {"repositories": ["octo-org/app-*"], "allow_repository_wildcards": True}, "allow_repository_wildcards"),
]


@pytest.mark.parametrize(
    ("kind", "kwargs", "opt_in"), OPTED_IN, ids=[f"{k}-{o}-{i}" for i, (k, _, o) in enumerate(OPTED_IN)]
)
def test_wildcard_below_the_owner_passes_with_its_opt_in(
    env: Env, cid: str, kind: str, kwargs: dict[str, Any], opt_in: str
) -> None:
    role = ROLES[kind](env, cid, **kwargs)
    assert role.opt_ins == (opt_in,)
    assert role.intent.opt_ins == (opt_in,)
    assert "StringLike" in role.conditions  # a pattern, never a literal '*' under StringEquals
    # what the access report lists for the role
    assert collect_opt_ins(env.stack)[role.node.path] == [opt_in]


def test_gitlab_project_wildcard_refusal_matches_githubs(env: Env, cid: str, path: str) -> None:
    # the same class of wildcard, the same kind of message, a named opt-in
    with refused(
        f"{path}GitHub", "repositories", "octo-org/*", "an exact repository name", "allow_repository_wildcards=True"
    ):
        github(env, f"{cid}GitHub", repositories=["octo-org/*"])
    with refused(path, "projects", "platform/*", "an exact project path", "allow_project_wildcards=True"):
        gitlab(env, cid, projects=["platform/*"])


def test_gitlab_group_wildcard_needs_only_allow_any_subject(env: Env, cid: str) -> None:
    role = gitlab(env, cid, projects=["*/infra", "plat*/*"], allow_any_subject=True)
    assert role.opt_ins == ("allow_any_subject",)
    assert "project_path:plat*/*:ref_type:branch:ref:main" in role.subjects


def test_gitlab_group_wildcard_is_refused_even_with_project_wildcards(env: Env, cid: str, path: str) -> None:
    with refused(path, "projects", "*/infra", "a wildcard in the group", "allow_any_subject=True"):
        gitlab(env, cid, projects=["*/infra"], allow_project_wildcards=True)


def test_gitlab_project_wildcards_and_any_ref_are_both_recorded(env: Env, cid: str) -> None:
    role = gitlab(env, cid, projects=["platform/*"], refs=["*"], allow_project_wildcards=True, allow_any_ref=True)
    assert role.opt_ins == ("allow_project_wildcards", "allow_any_ref")


def test_gitlab_allow_project_wildcards_must_be_a_bool(env: Env, cid: str, path: str) -> None:
    with refused(path, "allow_project_wildcards", "yes", "True or False"):
        gitlab(env, cid, allow_project_wildcards="yes")


def test_oidc_role_with_the_same_gitlab_pattern_is_not_a_preset(env: Env, cid: str) -> None:
    # the generic role keeps its own rule (owner literal); the preset's opt-ins are about typed names
    role = OidcRole(
        env.stack,
        cid,
        issuer=OidcIssuer.gitlab(),
        provider=env.gitlab,
        subjects=["project_path:platform/*:ref_type:branch:ref:main"],
    )
    assert role.opt_ins == ()


# --- normalised with a warning: unambiguous, and said so ------------------------------------------


def test_github_environment_with_colon_is_written_as_github_writes_it(env: Env, cid: str) -> None:
    role = github(env, cid, environments=["prod:eu"])
    assert role.subjects == ("repo:octo-org/app:environment:prod%3Aeu",)
    assert role.intent.declared["environments"] == ["prod%3Aeu"]
    (warning,) = warnings_of(role)
    assert "'prod:eu' is trusted as 'prod%3Aeu'" in warning and "%3A" in warning


def test_github_repository_with_git_suffix_is_trusted_without_it(env: Env, cid: str) -> None:
    role = github(env, cid, repositories=["octo-org/app.git", GitHubRepository(owner="octo-org", name="lib.git")])
    assert role.subjects == (
        "repo:octo-org/app:ref:refs/heads/main",
        "repo:octo-org/lib:ref:refs/heads/main",
    )
    assert [r.full_name for r in role.repositories] == ["octo-org/app", "octo-org/lib"]
    warnings = warnings_of(role)
    assert len(warnings) == 2
    assert "'octo-org/app.git' is trusted as 'octo-org/app'" in warnings[0]


# --- the config passes the GitLab opt-in -----------------------------------------------------------

CONFIG = """\
name: demo
account: "111122223333"
region: eu-west-1
oidc:
  providers:
    - id: GitLab
      preset: gitlab
  roles:
    - name: Pipelines
      type: gitlab
      provider: GitLab
      projects: [platform/*]
"""


def test_config_gitlab_project_wildcard_without_opt_in_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    with pytest.raises(FederationValidationError) as caught:
        build_stacks(new_app(), load_config(path))
    message = str(caught.value)
    assert message.startswith("demo/Pipelines: projects='platform/*' is not accepted; expected an exact project path")
    assert "allow_project_wildcards=True" in message


def test_config_gitlab_project_wildcard_with_opt_in_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(CONFIG + textwrap.indent("allow_project_wildcards: true\n", " " * 6), encoding="utf-8")
    role = build_stacks(new_app(), load_config(path)).oidc_roles["Pipelines"]
    assert role.opt_ins == ("allow_project_wildcards",)
    assert role.conditions["StringLike"]["gitlab.com:sub"] == ["project_path:platform/*:ref_type:branch:ref:main"]
