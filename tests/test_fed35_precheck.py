"""FED35's pure-Python pre-check never calls a dead trust alive: on every federated trust statement of
the corpus and the bundled example, where the pre-check says "plainly alive", the solver agrees that
the statement admits a request; and FED35's findings are the same with the pre-check on or off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from federation_constructs.policy.document import statements
from federation_constructs.policy.template import ResourceContext, TemplateIndex
from federation_constructs.policy.trust import federated_trusts
from federation_constructs.proof.model import dead_statements
from federation_constructs.rules import fed35_dead_trust as fed35
from federation_constructs.rules import lint_template, rule
from tests.test_lint_corpus import CORRECT, FLAWED, corpus_files, load

TEMPLATES = corpus_files(FLAWED) + corpus_files(CORRECT)


def roles(template: dict[str, Any]) -> list[ResourceContext]:
    index = TemplateIndex(template)
    return [
        ResourceContext(logical_id=lid, type="AWS::IAM::Role", properties=index.properties(lid), index=index)
        for lid in index.of_type("AWS::IAM::Role")
    ]


def test_plainly_alive_statements_are_alive_for_the_solver_too() -> None:
    judged = alive = 0
    for path in TEMPLATES:
        for context in roles(load(path).template):
            document = context.properties.get("AssumeRolePolicyDocument")
            if not all(s.allow for s in statements(document, context.index.parameters)):
                continue  # FED35 asks the solver whenever a Deny may cover the Allow
            for trust in federated_trusts(context):
                facts = fed35._facts(trust, context)
                judged += 1
                if not fed35.plainly_alive(trust, facts):
                    continue
                alive += 1
                dead = dead_statements(
                    context.properties.get("AssumeRolePolicyDocument"),
                    [(trust.statement.index, trust.federated, facts)],
                    context.index.parameters,
                )
                assert dead == {}, (path.name, context.logical_id, trust.where(), dead)
    assert judged > 100 and alive > judged // 2, (judged, alive)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_are_the_same_with_and_without_the_pre_check(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = load(path).template
    with_check = [f for f in lint_template(template, [rule("FED35")])]
    monkeypatch.setattr(fed35, "plainly_alive", lambda trust, facts: False)
    assert [f for f in lint_template(template, [rule("FED35")])] == with_check


def test_a_plain_trust_needs_no_solver() -> None:
    """A trust whose statements are all plainly alive is linted without loading z3 (a separate process)."""
    import subprocess
    import sys

    from tests.support import REPO

    example = REPO / "tests" / "lint_corpus" / "correct" / "01-github-main-branch.yaml"
    code = (
        "import sys; from federation_constructs.lint import load_sources; "
        "from federation_constructs.rules import lint_template; "
        "(source,), _ = load_sources([sys.argv[1]]); lint_template(source.template); print('z3' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(example)], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
