"""Shared fixtures: each app is synthesized once per session, never once per test."""

from __future__ import annotations

import re

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


_USED_IDS: set[tuple[str, str]] = set()


@pytest.fixture
def cid(request: pytest.FixtureRequest) -> str:
    """A construct id unique to this test within its module (the test's name, made id-safe)."""
    ident = re.sub(r"[^A-Za-z0-9_-]", "_", request.node.name)
    key = (request.module.__name__, ident)
    assert key not in _USED_IDS, f"construct id {ident!r} is used twice: give the parameters ids"
    _USED_IDS.add(key)
    return ident


@pytest.fixture
def path(request: pytest.FixtureRequest, cid: str) -> str:
    """The construct path of this test's construct in its module's stack (the module's `STACK`)."""
    return f"{request.module.STACK}/{cid}"
