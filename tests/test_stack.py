"""FederationStack: built from the config alone, in the account and region the config names."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Token
from aws_cdk.assertions import Template

from stacks.build import build_stacks
from stacks.config import DeploymentConfig
from stacks.federation_stack import FederationStack
from tests.support import new_app, synth


def test_stack_goes_exactly_where_the_config_says(
    example_app: tuple[App, FederationStack], example_config: DeploymentConfig
) -> None:
    _, stack = example_app
    assert stack.stack_name == example_config.name
    # explicit, literal environment: never the CLI's ambient account or region
    assert not Token.is_unresolved(stack.account) and stack.account == "111122223333"
    assert not Token.is_unresolved(stack.region) and stack.region == "eu-west-1"


def test_config_tags_are_stack_tags(example_app: tuple[App, FederationStack]) -> None:
    app, stack = example_app
    artifact = app.synth().get_stack_artifact(stack.artifact_id)
    assert artifact.tags == {"project": "federation-as-code", "owner": "platform-team"}
    assert artifact.environment.account == "111122223333"
    assert artifact.environment.region == "eu-west-1"


def test_template_says_what_it_is(example_template: Template) -> None:
    assert example_template.to_json()["Description"] == (
        "Identity federation for example-federation (federation-as-code)"
    )


@pytest.fixture(scope="module")
def empty_app() -> tuple[App, FederationStack]:
    config = DeploymentConfig.model_validate(
        {"name": "empty", "account": "111122223333", "region": "eu-west-1", "oidc": {}}
    )
    app = new_app()
    return app, build_stacks(app, config)


def test_config_without_federation_paths_deploys_a_placeholder_only(empty_app: tuple[App, FederationStack]) -> None:
    # Nothing can be assumed: no role, no provider, only the free placeholder that keeps the
    # template deployable (CloudFormation refuses a template without resources).
    resources = synth(empty_app[1]).to_json()["Resources"]
    assert {r["Type"] for r in resources.values()} == {"AWS::CloudFormation::WaitConditionHandle"}


def test_empty_config_is_flagged_for_the_reader(empty_app: tuple[App, FederationStack]) -> None:
    app, stack = empty_app
    messages = app.synth().get_stack_artifact(stack.artifact_id).messages
    assert any("declares no federation path" in str(m.entry.data) for m in messages)


def test_example_has_no_placeholder(example_template: Template) -> None:
    example_template.resource_count_is("AWS::CloudFormation::WaitConditionHandle", 0)


def test_every_example_role_is_an_output(example_template: Template) -> None:
    outputs = example_template.to_json()["Outputs"]
    roles = example_template.find_resources("AWS::IAM::Role")
    arn_outputs = {k: v for k, v in outputs.items() if k.endswith("RoleArn")}
    assert set(arn_outputs) == {
        "WebAppDeployRoleArn",
        "InfraPipelineRoleArn",
        "ReadOnlyConsoleRoleArn",
        "AdministratorRoleArn",
        "EmployeeFilesRoleArn",
        "AppIdentityPoolAuthenticatedRoleArn",
        "AppIdentityPoolGuestRoleArn",
    }
    assert {json.dumps(o["Value"]) for o in arn_outputs.values()} == {
        json.dumps({"Fn::GetAtt": [logical_id, "Arn"]}) for logical_id in roles
    }
