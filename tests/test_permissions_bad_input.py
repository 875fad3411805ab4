"""Bad role names, paths, statements, boundaries, `cdk_deploy` settings and quotas: each refused
with one message.

From the config (`load_config` -> `ConfigError`): the message names the file, the field path and
the bad value, and says what is accepted. From Python (`FederationValidationError`): the construct
path, the field and the value, then what is accepted; nothing is synthesized, one app and stack
serve the module and each test adds its role under its own id.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_iam as iam

from federation_constructs.errors import FederationValidationError
from federation_constructs.oidc import GitHubActionsRole, OidcIssuer, OidcProvider, RoleOptions
from stacks.config import ConfigError, DeploymentConfig, load_config
from tests.support import new_app, refused

ACCOUNT = "111122223333"
STACK = "PermissionRefusals"
ACKNOWLEDGE_ALL_ACTIONS = {"AwsSolutions-IAM5[Action::*]": "break-glass role, one-hour sessions, two approvers"}
LONG_ARN = "arn:aws:s3:::acme-artifacts-bucket/" + "x" * 200 + "/"

# --- config ----------------------------------------------------------------------------------

HEAD = """\
name: demo
account: "111122223333"
region: eu-west-1
{top}
oidc:
  providers:
    - id: GitHub
      preset: github_actions
  roles:
    - name: Deploy
      type: github
      provider: GitHub
      repositories: [octo-org/app]
{role}
{more}
"""

OTHER_ROLE = """\
    - name: Other
      type: github
      provider: GitHub
      repositories: [octo-org/other]
      role_name: {name}
"""


def write(tmp_path: Path, *, top: str = "", role: str = "", more: str = "") -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(
        HEAD.format(top=top, role=textwrap.indent(textwrap.dedent(role), " " * 6), more=more), encoding="utf-8"
    )
    return path


def statements(*actions: str, resource: str = "*") -> str:
    return f"statements:\n  - actions: {list(actions)!r}\n    resources: [{resource!r}]\n"


def many_statements(count: int) -> str:
    return "statements:\n" + "".join(
        f"  - actions: ['s3:GetObject']\n    resources: ['{LONG_ARN}{index}']\n" for index in range(count)
    )


def acknowledge_all() -> str:
    (rule, reason) = next(iter(ACKNOWLEDGE_ALL_ACTIONS.items()))
    return f"acknowledgements:\n  {rule!r}: {reason}\n"


def customer_policies(count: int) -> str:
    arns = ", ".join(f"'arn:aws:iam::111122223333:policy/team-{index}'" for index in range(count))
    return f"customer_managed_policies: [{arns}]\n"


@dataclass(frozen=True)
class ConfigCase:
    """One bad config: the YAML pieces, and what its one message must name."""

    field: str
    value: object
    hints: tuple[str, ...]
    top: str = ""
    role: str = ""
    more: str = ""
    #: the value is a count the message writes as text ("11 managed policies"), not as a quoted repr
    verbatim: bool = False


def case(id: str, c: ConfigCase) -> Any:
    return pytest.param(c, id=id)


NAME_HINT = "1-64 letters, digits and + = , . @ _ -"
PATH_HINT = "'/' or text that starts and ends with '/'"
BOUNDARY_HINT = "a managed policy ARN"
QUALIFIER_HINT = "1-10 lower-case letters, digits and hyphens"
UNIQUE_HINT = "a name unique in the account (IAM role names are unique per account, case-insensitively)"

CONFIG_CASES = [
    # --- role names
    case(
        "role-name-65-characters",
        ConfigCase("oidc.roles[0].role_name", "a" * 65, (NAME_HINT,), role=f"role_name: {'a' * 65}"),
    ),
    case(
        "role-name-with-a-space",
        ConfigCase("oidc.roles[0].role_name", "deploy role", (NAME_HINT,), role="role_name: deploy role"),
    ),
    case(
        "role-name-twice",
        ConfigCase(
            "oidc.roles[1] (Other)",
            "rnp-same",
            ("already the name of oidc.roles[0] (Deploy)", UNIQUE_HINT),
            role="role_name: rnp-same",
            more=OTHER_ROLE.format(name="rnp-same"),
        ),
    ),
    case(
        "role-names-differ-in-case",
        ConfigCase(
            "oidc.roles[1] (Other)",
            "rnp-case",
            ("already the name of oidc.roles[0] (Deploy)", UNIQUE_HINT),
            role="role_name: Rnp-Case",
            more=OTHER_ROLE.format(name="rnp-case"),
        ),
    ),
    case(
        "default-name-collides-with-role-name",
        ConfigCase(
            "oidc.roles[1] (Other)",
            "demo-Deploy",
            ("already the name of oidc.roles[0] (Deploy)", UNIQUE_HINT),
            more=OTHER_ROLE.format(name="demo-Deploy"),
        ),
    ),
    case(
        "pool-default-name-collides-with-role-name",
        ConfigCase(
            "identity_pool (IdentityPool Authenticated)",
            "demo-IdentityPool-Authenticated",
            ("already the name of oidc.roles[0] (Deploy)", UNIQUE_HINT),
            top="identity_pool:\n  google_client_id: '123456789012-abc.apps.googleusercontent.com'",
            role="role_name: demo-IdentityPool-Authenticated",
        ),
    ),
    # --- paths
    case(
        "path-without-leading-slash",
        ConfigCase("oidc.roles[0].path", "federation/", (PATH_HINT,), role="path: federation/"),
    ),
    case(
        "path-without-trailing-slash",
        ConfigCase("oidc.roles[0].path", "/federation", (PATH_HINT,), role="path: /federation"),
    ),
    case(
        "default-path-without-leading-slash",
        ConfigCase("role_defaults.path", "federation/", (PATH_HINT,), top="role_defaults:\n  path: federation/"),
    ),
    case(
        "path-and-name-over-64",
        ConfigCase(
            "oidc.roles[0]",
            "a" * 50,
            ("with path '/federation/teams/'", "are 68 characters together", "at most 64 characters"),
            role=f"path: /federation/teams/\nrole_name: {'a' * 50}",
        ),
    ),
    case(
        "default-path-and-name-over-64",
        ConfigCase(
            "oidc.roles[0].role_name",
            "a" * 50,
            ("is not accepted under path '/federation/teams/' (role_defaults.path)", "at most 64 characters"),
            top="role_defaults:\n  path: /federation/teams/",
            role=f"role_name: {'a' * 50}",
        ),
    ),
    # --- statements
    case(
        "action-without-colon",
        ConfigCase(
            "oidc.roles[0].statements[0].actions",
            "s3*",
            ("an IAM action 'service:Action'", "did you mean 's3:*'?"),
            role=statements("s3*"),
        ),
    ),
    case(
        "action-star-colon-star",
        ConfigCase(
            "oidc.roles[0].statements[0].actions",
            "*:*",
            ("'*' for every action of every service ('*:*' is not an IAM action)", "AwsSolutions-IAM5[Action::*]"),
            role=statements("*:*"),
        ),
    ),
    case(
        "action-star-colon-star-even-acknowledged",
        ConfigCase(
            "oidc.roles[0].statements[0].actions",
            "*:*",
            ("('*:*' is not an IAM action)",),
            role=statements("*:*") + acknowledge_all(),
        ),
    ),
    case(
        "action-star-without-acknowledgement",
        ConfigCase(
            "oidc.roles[0].statements[0].actions",
            "*",
            ("without an acknowledgement", "acknowledgements: {'AwsSolutions-IAM5[Action::*]': "),
            role=statements("*"),
        ),
    ),
    case(
        "action-misspelt",
        ConfigCase(
            "oidc.roles[0].statements[0].actions",
            "s3:GetObjekt",
            ("an action of s3 in IAM's service authorization data", "did you mean 's3:GetObject'"),
            role=statements("s3:GetObjekt"),
        ),
    ),
    case(
        "action-of-unknown-service",
        ConfigCase(
            "oidc.roles[0].statements[0].actions",
            "s4:GetObject",
            ("an action of a service prefix IAM knows ('s4' is not one)",),
            role=statements("s4:GetObject"),
        ),
    ),
    case(
        "resource-not-an-arn",
        ConfigCase(
            "oidc.roles[0].statements[0].resources",
            "my-bucket/*",
            ("an ARN ('arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE'", "or '*'"),
            role=statements("s3:GetObject", resource="my-bucket/*"),
        ),
    ),
    # --- boundaries
    case(
        "boundary-without-policy-name",
        ConfigCase(
            "oidc.roles[0].permissions_boundary",
            "arn:aws:iam::aws:policy/",
            (BOUNDARY_HINT,),
            role="permissions_boundary: 'arn:aws:iam::aws:policy/'",
        ),
    ),
    case(
        "default-boundary-without-policy-name",
        ConfigCase(
            "role_defaults.permissions_boundary",
            "arn:aws:iam::aws:policy/",
            (BOUNDARY_HINT,),
            top="role_defaults:\n  permissions_boundary: 'arn:aws:iam::aws:policy/'",
        ),
    ),
    # --- cdk_deploy
    case(
        "qualifier-of-11-characters",
        ConfigCase(
            "oidc.roles[0].cdk_deploy.qualifier",
            "abcdefghijk",
            (QUALIFIER_HINT,),
            role="cdk_deploy:\n  qualifier: abcdefghijk",
        ),
    ),
    case(
        "qualifier-in-upper-case",
        ConfigCase(
            "oidc.roles[0].cdk_deploy.qualifier",
            "HNB659FDS",
            (QUALIFIER_HINT,),
            role="cdk_deploy:\n  qualifier: HNB659FDS",
        ),
    ),
    case(
        "account-not-12-digits",
        ConfigCase(
            "oidc.roles[0].cdk_deploy.accounts[0]",
            "12345",
            ("12-digit account ids",),
            role="cdk_deploy:\n  accounts: ['12345']",
        ),
    ),
    # --- quotas
    case(
        "eleven-managed-policies",
        ConfigCase(
            "oidc.roles[0]",
            "11 managed policies",
            ("expected at most 10 per role", "managed_policy_quota up to 20"),
            role="managed_policies: [ReadOnlyAccess, SecurityAudit, AmazonS3ReadOnlyAccess, AmazonEC2ReadOnlyAccess, CloudWatchReadOnlyAccess, IAMReadOnlyAccess]\n"
            + customer_policies(5),
            verbatim=True,
        ),
    ),
]


def config_error(tmp_path: Path, c: ConfigCase) -> tuple[Path, str]:
    path = write(tmp_path, top=c.top, role=c.role, more=c.more)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return path, str(caught.value)


def check_config_message(message: str, path: Path, field: str, hints: tuple[str, ...]) -> None:
    """One message (one line, not a list of problems) that names the file, the field path and `hints`."""
    assert "\n" not in message and " problems" not in message, message
    assert message.startswith(f"config error: {path}:"), message
    assert re.search(rf"\s{re.escape(field)}[:. ]", message), f"{field!r} not named in {message!r}"
    for hint in hints:
        assert hint in message, f"{hint!r} not in {message!r}"


@pytest.mark.parametrize("c", CONFIG_CASES)
def test_config_refusal_names_file_field_and_value(tmp_path: Path, c: ConfigCase) -> None:
    path, message = config_error(tmp_path, c)
    check_config_message(message, path, c.field, c.hints)
    assert (str(c.value) if c.verbatim else repr(c.value)) in message, message


def test_config_statements_over_10240_characters(tmp_path: Path) -> None:
    path = write(tmp_path, role=many_statements(60))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    match = re.fullmatch(
        rf"config error: {re.escape(str(path))}:14: oidc\.roles\[0\]\.statements: (\d+) characters is not accepted; "
        r"expected at most 10,240 characters for the role's inline policy, whitespace not counted .*",
        message,
    )
    assert match is not None, message
    assert int(match.group(1)) > 10_240
    assert "customer_managed_policies" in message  # where the statements can go instead


def loaded(tmp_path: Path, role: str) -> DeploymentConfig:
    return load_config(write(tmp_path, role=role))


def test_config_all_actions_with_the_acknowledgement_is_accepted(tmp_path: Path) -> None:
    config = loaded(tmp_path, statements("*") + acknowledge_all())
    (role,) = config.oidc.roles  # type: ignore[union-attr]
    assert role.statements[0].actions == ["*"]


def test_config_eleven_managed_policies_with_a_raised_quota_are_accepted(tmp_path: Path) -> None:
    config = loaded(
        tmp_path,
        "managed_policies: [ReadOnlyAccess, SecurityAudit, AmazonS3ReadOnlyAccess, AmazonEC2ReadOnlyAccess, CloudWatchReadOnlyAccess, IAMReadOnlyAccess]\n"
        + customer_policies(5)
        + "managed_policy_quota: 20\n",
    )
    (role,) = config.oidc.roles  # type: ignore[union-attr]
    assert len(role.managed_policies) + len(role.customer_managed_policies) == 11


# --- constructs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Env:
    app: App
    stack: Stack
    github: Any


@pytest.fixture(scope="module")
def env() -> Env:
    app = new_app()
    stack = Stack(app, STACK, env=Environment(account=ACCOUNT, region="eu-west-1"))
    return Env(app, stack, OidcProvider.from_issuer(stack, "GitHub", OidcIssuer.github_actions()))


def role(env: Env, id: str, **options: Any) -> GitHubActionsRole:
    return GitHubActionsRole(
        env.stack, id, provider=env.github, repositories=["octo-org/app"], role_options=RoleOptions(**options)
    )


def inline(*statement_list: iam.PolicyStatement) -> dict[str, iam.PolicyDocument]:
    return {"Permissions": iam.PolicyDocument(statements=list(statement_list))}


def allow(*actions: str, resource: str = "*") -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(actions), resources=[resource])


#: eleven AWS managed policies the shipped list knows (unknown names are refused before the quota counts)
ELEVEN_POLICIES = (
    "ReadOnlyAccess",
    "SecurityAudit",
    "AmazonS3ReadOnlyAccess",
    "AmazonEC2ReadOnlyAccess",
    "CloudWatchReadOnlyAccess",
    "IAMReadOnlyAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AWSLambda_ReadOnlyAccess",
    "AmazonSQSReadOnlyAccess",
    "AmazonSNSReadOnlyAccess",
    "AWSCloudFormationReadOnlyAccess",
)


def eleven_policies() -> list[iam.IManagedPolicy]:
    return [iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in ELEVEN_POLICIES]


STATEMENT = "role_options.inline_policies['Permissions'].Statement[0]"


@dataclass(frozen=True)
class ConstructCase:
    """`options(stack, id)` are the `RoleOptions` keywords with the one bad value."""

    options: Callable[[Stack, str], dict[str, Any]]
    field: str
    value: object
    hints: tuple[str, ...] = field(default_factory=tuple)


CONSTRUCT_CASES = [
    pytest.param(
        ConstructCase(lambda s, i: {"role_name": "a" * 65}, "role_options.role_name", "a" * 65, (NAME_HINT,)),
        id="role-name-65-characters",
    ),
    pytest.param(
        ConstructCase(lambda s, i: {"role_name": "deploy role"}, "role_options.role_name", "deploy role", (NAME_HINT,)),
        id="role-name-with-a-space",
    ),
    pytest.param(
        ConstructCase(lambda s, i: {"path": "federation/"}, "role_options.path", "federation/", (PATH_HINT,)),
        id="path-without-leading-slash",
    ),
    pytest.param(
        ConstructCase(lambda s, i: {"path": "/federation"}, "role_options.path", "/federation", (PATH_HINT,)),
        id="path-without-trailing-slash",
    ),
    pytest.param(
        ConstructCase(
            lambda s, i: {"path": "/federation/teams/", "role_name": "a" * 50},
            "role_options.role_name",
            "a" * 50,
            ("path '/federation/teams/' and name", "are 68 characters together"),
        ),
        id="path-and-name-over-64",
    ),
    pytest.param(
        ConstructCase(
            lambda s, i: {"inline_policies": inline(allow("*"))},
            f"{STATEMENT}.Action",
            "*",
            ("every action of every service needs an explicit acknowledgement", "AwsSolutions-IAM5[Action::*]"),
        ),
        id="action-star-without-acknowledgement",
    ),
    pytest.param(
        ConstructCase(
            lambda s, i: {"inline_policies": inline(allow("s3:GetObjekt"))},
            f"{STATEMENT}.Action",
            "s3:GetObjekt",
            ("did you mean 's3:GetObject'",),
        ),
        id="action-misspelt",
    ),
    pytest.param(
        ConstructCase(
            lambda s, i: {"inline_policies": inline(allow("s4:GetObject"))},
            f"{STATEMENT}.Action",
            "s4:GetObject",
            ("('s4' is not one)",),
        ),
        id="action-of-unknown-service",
    ),
    pytest.param(
        ConstructCase(
            lambda s, i: {"inline_policies": inline(allow("s3:GetObject", resource="my-bucket/*"))},
            f"{STATEMENT}.Resource",
            "my-bucket/*",
            ("an ARN", "or '*'"),
        ),
        id="resource-not-an-arn",
    ),
    pytest.param(
        ConstructCase(
            lambda s, i: {
                "permissions_boundary": iam.ManagedPolicy.from_managed_policy_arn(
                    s, f"{i}Boundary", "arn:aws:iam::aws:policy/"
                )
            },
            "role_options.permissions_boundary",
            "arn:aws:iam::aws:policy/",
            ("a managed policy ARN such as",),
        ),
        id="boundary-without-policy-name",
    ),
    pytest.param(
        ConstructCase(
            lambda s, i: {"managed_policies": eleven_policies()},
            "role_options.managed_policies",
            "11 policies",
            ("at most 10 managed policies per role", "managed_policy_quota up to 20"),
        ),
        id="eleven-managed-policies",
    ),
]


@pytest.mark.parametrize("c", CONSTRUCT_CASES)
def test_construct_refusal(env: Env, cid: str, path: str, c: ConstructCase) -> None:
    with refused(path, c.field, c.value, *c.hints):
        role(env, cid, **c.options(env.stack, cid))


def test_construct_inline_policies_over_10240_characters(env: Env, cid: str, path: str) -> None:
    big = inline(*(allow("s3:GetObject", resource=f"{LONG_ARN}{index}") for index in range(60)))
    with pytest.raises(FederationValidationError) as caught:
        role(env, cid, inline_policies=big)
    match = re.fullmatch(
        rf"{re.escape(path)}: role_options\.inline_policies='(\d+) characters' is not accepted; expected at most "
        r"10,240 characters for all inline policies of a role, whitespace not counted \(IAM's quota\): move "
        r"statements to a customer managed policy",
        str(caught.value),
    )
    assert match is not None, str(caught.value)
    assert int(match.group(1)) > 10_240


@pytest.mark.parametrize(
    ("kwargs", "field", "value", "hint"),
    [
        pytest.param({"qualifier": "abcdefghijk"}, "qualifier", "abcdefghijk", QUALIFIER_HINT, id="qualifier-11"),
        pytest.param({"qualifier": "HNB659FDS"}, "qualifier", "HNB659FDS", QUALIFIER_HINT, id="qualifier-upper"),
        pytest.param({"accounts": ["12345"]}, "accounts", "12345", "12-digit account ids", id="account-5-digits"),
    ],
)
def test_construct_grant_cdk_deploy_refusals(
    env: Env, cid: str, path: str, kwargs: dict[str, Any], field: str, value: str, hint: str
) -> None:
    deploy = role(env, cid)
    with refused(path, f"grant_cdk_deploy.{field}", value, hint):
        deploy.grant_cdk_deploy(**kwargs)


def test_construct_all_actions_with_the_acknowledgement_is_accepted(env: Env, cid: str) -> None:
    accepted = role(env, cid, inline_policies=inline(allow("*")), acknowledgements=ACKNOWLEDGE_ALL_ACTIONS)
    assert accepted.role_options.acknowledgements == ACKNOWLEDGE_ALL_ACTIONS


def test_construct_eleven_managed_policies_with_a_raised_quota_are_accepted(env: Env, cid: str) -> None:
    accepted = role(env, cid, managed_policies=eleven_policies(), managed_policy_quota=20)
    assert len(accepted.role_options.managed_policies) == 11


@pytest.mark.parametrize("action", ["s3*", "*:*"])
def test_construct_actions_the_cdk_refuses_never_reach_the_role(action: str) -> None:
    """`s3*` and `*:*` cannot even be written as an `iam.PolicyStatement`: the CDK refuses them first."""
    with pytest.raises(RuntimeError, match=rf"Action '{re.escape(action)}' is invalid"):
        allow(action)


@pytest.mark.parametrize(
    ("first", "second"),
    [("rnp-dup-same", "rnp-dup-same"), ("Rnp-Dup-Case", "rnp-dup-case")],
    ids=["same", "case"],
)
def test_construct_role_name_used_twice_in_one_account(first: str, second: str) -> None:
    """Two stacks of one account (another region): the second role with the name is refused."""
    app = new_app()

    def named_role(stack_id: str, region: str, name: str) -> GitHubActionsRole:
        stack = Stack(app, stack_id, env=Environment(account="222233334444", region=region))
        provider = OidcProvider.from_issuer(stack, "GitHub", OidcIssuer.github_actions())
        options = RoleOptions(role_name=name)
        return GitHubActionsRole(stack, "Deploy", provider=provider, repositories=["o/a"], role_options=options)

    named_role("One", "eu-west-1", first)
    with refused("Two/Deploy", "role_options.role_name", second, "One/Deploy already uses it", "case-insensitively"):
        named_role("Two", "us-east-1", second)
