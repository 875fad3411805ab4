"""One reviewed snapshot of the example template; volatile CDK-version values are normalized away."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.support import normalized


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_example_snapshot(example_template: Template, snapshot_json: SnapshotAssertion) -> None:
    assert normalized(example_template.to_json()) == snapshot_json


def test_normalized_drops_only_version_noise() -> None:
    template = {
        "Resources": {
            "CDKMetadata": {"Type": "AWS::CDK::Metadata"},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/" + "a" * 64}},
        },
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>"}},
        "Rules": {"CheckBootstrapVersion": {}},
        "Conditions": {"CDKMetadataAvailable": {}},
    }
    assert normalized(template) == {
        "Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/<asset-hash>"}}}
    }
