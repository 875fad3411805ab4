"""Shared fixtures: each app is synthesized once per session, never once per test."""

from __future__ import annotations

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from stacks.build import build_stacks
from stacks.config import DeploymentConfig, load_config
from stacks.federation_stack import FederationStack
from tests.support import EXAMPLE, new_app, synth


@pytest.fixture(scope="session")
def example_config() -> DeploymentConfig:
    """The bundled example config, validated."""
    return load_config(EXAMPLE)


@pytest.fixture(scope="session")
def example_app(example_config: DeploymentConfig) -> tuple[App, FederationStack]:
    """The example app, built exactly as `app.py` builds it (rule packs are checked separately)."""
    app = new_app()
    return app, build_stacks(app, example_config)


@pytest.fixture(scope="session")
def example_template(example_app: tuple[App, FederationStack]) -> Template:
    """The example stack's template: synthesized and cfn-linted once for the whole session."""
    return synth(example_app[1])
