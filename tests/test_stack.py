"""FederationStack: built from the config alone, in the account and region the config names."""

from __future__ import annotations

from aws_cdk import App, Token
from aws_cdk.assertions import Template

from stacks.config import DeploymentConfig
from stacks.federation_stack import FederationStack


def test_stack_goes_exactly_where_the_config_says(example_app: tuple[App, FederationStack],
                                                  example_config: DeploymentConfig) -> None:
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
        "Identity federation for example-federation (federation-as-code)")


def test_example_declares_no_federation_path_yet(example_template: Template) -> None:
    # Nothing can be assumed until a federation section is configured: no role, no provider,
    # only the placeholder that keeps the template deployable.
    resources = example_template.to_json()["Resources"]
    assert {r["Type"] for r in resources.values()} == {"AWS::CloudFormation::WaitConditionHandle"}


def test_empty_config_is_flagged_for_the_reader(example_app: tuple[App, FederationStack]) -> None:
    app, stack = example_app
    messages = app.synth().get_stack_artifact(stack.artifact_id).messages
    assert any("declares no federation path" in str(m.entry.data) for m in messages)
