"""Large role sets spread over shard stacks, and no role ever moves when another is added.

The planner is checked on its own (plain Python); then configs with hundreds and a thousand GitHub
roles are synthesized once each: every stack stays within the budget and CloudFormation's limits,
shard stacks depend on the base stack and import the provider by ARN, and adding a role keeps every
other role in its stack with its logical id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Template

from federation_constructs.errors import FederationValidationError
from stacks.build import build_stacks
from stacks.config import load_config
from stacks.sharding import Budget, RoleCost, load_assignment, plan, write_assignment
from tests.support import cfn_lint_errors_of_many, federation_lint, lint_keys, new_app

BUDGET = Budget(resources=10, outputs=10)


def costs(*names: str) -> list[RoleCost]:
    return [RoleCost(n, 1, 1) for n in names]


def test_roles_fill_the_base_then_numbered_shards() -> None:
    placed = plan(costs(*[f"r{i}" for i in range(25)]), budget=BUDGET, base_used=(2, 0))
    assert [placed[f"r{i}"] for i in range(25)] == [0] * 8 + [1] * 10 + [2] * 7


def test_adding_a_role_anywhere_moves_no_other_role() -> None:
    names = [f"r{i}" for i in range(25)]
    before = plan(costs(*names), budget=BUDGET, base_used=(2, 0))
    after = plan(costs(*names[:3], "new", *names[3:]), budget=BUDGET, base_used=(2, 0), previous=before)
    assert {n: after[n] for n in names} == before and after["new"] == 2


def test_a_removed_role_frees_its_room_for_the_next_new_one() -> None:
    names = [f"r{i}" for i in range(25)]
    before = plan(costs(*names), budget=BUDGET, base_used=(2, 0))
    kept = [n for n in names if n != "r1"]
    after = plan(costs(*kept, "new"), budget=BUDGET, base_used=(2, 0), previous=before)
    assert {n: after[n] for n in kept} == {n: before[n] for n in kept} and after["new"] == 0


def test_pinned_roles_stay_in_the_base_stack() -> None:
    placed = plan(
        costs("a", "b"), budget=Budget(resources=3, outputs=3), base_used=(3, 0), pinned=["b"], previous={"b": 4}
    )
    assert placed == {"a": 1, "b": 0}


def test_a_role_larger_than_a_stack_is_refused() -> None:
    with pytest.raises(ValueError, match="role 'huge' needs 1 resources and 20 outputs, more than one stack's budget"):
        plan([RoleCost("huge", 1, 20)], budget=BUDGET, base_used=(0, 0))


def test_build_stacks_reports_a_role_that_fits_no_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's error names sharding and the role (no config can ask for a budget that small, so
    the role's cost is raised here)."""
    import stacks.build as build

    monkeypatch.setattr(build, "role_costs", lambda config: [RoleCost("Deploy0000", 1, 500)])
    with pytest.raises(
        FederationValidationError,
        match=r"^sharding: role 'Deploy0000' needs 1 resources and 500 "
        r"outputs, more than one stack's budget \(300 resources, 180",
    ):
        build_stacks(new_app(), load_config(github_config(tmp_path, 1)))


def test_assignment_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "x.shards.json"
    assert load_assignment(path) == {}
    assert write_assignment(path, {"b": 1, "a": 0}) is True
    assert write_assignment(path, {"a": 0, "b": 1}) is False  # unchanged: not rewritten
    assert load_assignment(path) == {"a": 0, "b": 1}
    assert list(json.loads(path.read_text())["roles"]) == ["a", "b"]


# --- synthesized --------------------------------------------------------------------------------


def github_config(folder: Path, count: int, *, extra: tuple[str, ...] = (), budget: str = "") -> Path:
    """A config with `count` GitHub roles (and the `extra` role names inserted after the first)."""
    names = [f"Deploy{i:04d}" for i in range(count)]
    names[1:1] = list(extra)
    roles = "".join(
        f"    - {{name: {n}, type: github, provider: GitHub, repositories: [acme/{n.lower()}], branches: [main]}}\n"
        for n in names
    )
    path = folder / f"big-{count}-{len(extra)}.yaml"
    path.write_text(
        f'name: big\naccount: "111122223333"\nregion: eu-west-1\n{budget}'
        f"oidc:\n  providers:\n    - {{id: GitHub, preset: github_actions}}\n  roles:\n{roles}"
    )
    return path


def templates(stack: Stack) -> dict[str, dict[str, Any]]:
    stacks = [stack, *stack.shards.values()]
    return {s.stack_name: Template.from_stack(s).to_json() for s in stacks}


def role_places(found: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Role name -> (stack, logical id), from the templates."""
    places = {}
    for stack_name, template in found.items():
        for logical, resource in template["Resources"].items():
            if resource["Type"] == "AWS::IAM::Role":
                places[logical[: logical.index("Role")]] = (stack_name, logical)
    return places


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Stack, dict[str, dict[str, Any]], Path]:
    folder = tmp_path_factory.mktemp("big")
    config_path = github_config(folder, 1000)
    stack = build_stacks(new_app(), load_config(config_path), shards_file=folder / "big.shards.json")
    return stack, templates(stack), folder / "big.shards.json"


def test_a_thousand_roles_spread_over_stacks_within_the_budget(
    thousand: tuple[Stack, dict[str, dict[str, Any]], Path],
) -> None:
    stack, found, shards_file = thousand
    assert sorted(found) == ["big", *[f"big-roles-{i}" for i in range(1, 6)]]
    for name, template in found.items():
        assert len(template["Resources"]) <= 300 and len(template.get("Outputs", {})) <= 180, name
        assert len(json.dumps(template)) < 1_000_000, name
    assert len(role_places(found)) == 1000
    assignment = load_assignment(shards_file)
    assert len(assignment) == 1000 and max(assignment.values()) == 5
    for shard in stack.shards.values():
        assert stack in shard.dependencies


def test_shard_stacks_import_the_provider_by_arn_and_lint_clean(
    thousand: tuple[Stack, dict[str, dict[str, Any]], Path],
) -> None:
    _, found, _ = thousand
    shard = found["big-roles-1"]
    assert not any(r["Type"] == "AWS::IAM::OIDCProvider" for r in shard["Resources"].values())
    role = next(r for r in shard["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    federated = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Federated"]
    assert "Fn::ImportValue" not in json.dumps(federated)
    assert json.dumps(federated).endswith(':oidc-provider/token.actions.githubusercontent.com"]]}')
    # every shard is the same shape (roles, their outputs, the imported provider): cfn-lint the base,
    # the first and the last shard rather than all six (cfn-lint takes about 3 s a template here)
    names = sorted(found)
    sample = {name: found[name] for name in {names[0], names[1], names[-1]}}
    assert cfn_lint_errors_of_many(sample, "eu-west-1") == {name: [] for name in sample}


def test_adding_a_role_keeps_every_other_role_in_its_stack_with_its_logical_id(
    tmp_path: Path, thousand: tuple[Stack, dict[str, dict[str, Any]], Path]
) -> None:
    _, before, shards_file = thousand
    previous = load_assignment(shards_file)
    config_path = github_config(tmp_path, 1000, extra=("Deploy0000A",))
    after_stack = build_stacks(new_app(), load_config(config_path), previous=previous)
    after = role_places(templates(after_stack))
    places = role_places(before)
    assert {name: after[name] for name in places} == places
    assert after["Deploy0000A"][0] == "big-roles-5"  # the first stack with room, not the base


def saml_config(folder: Path, *, provider_name: str | None) -> Path:
    metadata = Path(__file__).resolve().parents[1] / "examples" / "saml" / "adfs-example-metadata.xml"
    name = f", name: {provider_name}" if provider_name else ""
    roles = "".join(f"    - {{name: Staff{i}, provider: Corp}}\n" for i in range(7))
    path = folder / f"saml-{provider_name}.yaml"
    path.write_text(
        f'name: workforce\naccount: "111122223333"\nregion: eu-west-1\n'
        f"sharding: {{max_resources: 20, max_outputs: 10}}\n"
        f"saml:\n  providers:\n    - {{id: Corp, metadata: '{metadata}'{name}}}\n  roles:\n{roles}"
    )
    return path


def test_saml_roles_in_a_shard_import_the_provider_by_name(tmp_path: Path) -> None:
    stack = build_stacks(new_app(), load_config(saml_config(tmp_path, provider_name="corp-idp")))
    assert sorted(stack.placement.values()) == [0] * 5 + [1] * 2  # 2 outputs each, 10 per stack
    shard = Template.from_stack(stack.shards[1]).to_json()
    role = next(r for r in shard["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    assert json.dumps(role["Properties"]["AssumeRolePolicyDocument"]).count(":saml-provider/corp-idp") == 1
    assert sorted(shard["Outputs"]) == [
        "Staff5IdpRoleAttribute",
        "Staff5RoleArn",
        "Staff6IdpRoleAttribute",
        "Staff6RoleArn",
    ]


def test_saml_roles_in_a_shard_need_the_provider_name(tmp_path: Path) -> None:
    with pytest.raises(
        FederationValidationError,
        match=r"saml.providers\[Corp\].name: None is not accepted here; "
        r"expected a provider name: roles of this provider are "
        r"placed in shard stack workforce-roles-1",
    ):
        build_stacks(new_app(), load_config(saml_config(tmp_path, provider_name=None)))


def test_federation_lint_finds_no_error_in_the_sharded_templates(
    thousand: tuple[Stack, dict[str, dict[str, Any]], Path], tmp_path: Path
) -> None:
    """The six templates of the 1,000-role app, linted as a user would (console script, JSON), find
    what the synth-time pack's engine finds on them, and no error."""
    from federation_constructs.rules import lint_template

    _, found, _ = thousand
    paths = []
    for name, template in found.items():
        paths.append(tmp_path / f"{name}.template.json")
        paths[-1].write_text(json.dumps(template, indent=1))
    code, report, stderr = federation_lint(*map(str, paths))
    assert code == 0 and report["summary"]["errors"] == 0, stderr
    assert len(report["files"]) == 6
    engine = {(f.rule_id, f.logical_id, f.finding) for t in found.values() for f in lint_template(t)}
    assert lint_keys(report) == engine
