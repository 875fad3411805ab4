"""The federation linter against a hand-written corpus of CloudFormation templates.

`tests/lint_corpus/flawed/` holds templates with the mistakes public guides warn about (AWS IAM docs
on OIDC / SAML / Cognito trusts and per-user S3 policy variables, GitHub's and GitLab's OIDC-in-AWS
guides, the Cognito identity pool docs); `tests/lint_corpus/correct/` holds templates that get the
same things right. Each template says what it expects in template-level `Metadata`:

    Metadata:
      LintCorpus:
        Mistake: "what is wrong (flawed) / Correct: what is right (correct)"
        Expect:                     # every finding the linter must report: rule + logical id
          - {Rule: FED1, Resource: DeployRole}
        AllowWarnings: [FED3]       # correct templates only: warnings acknowledged on purpose
        CfnLintErrors: [E3012]      # only where invalid CloudFormation is the point (none today)

A flawed template must get every expected finding and no error-level finding it does not list; a
correct template must get no error at all and no warning outside `AllowWarnings`. JSON files are read
with `json`, YAML files with cfn-lint's decoder (short-form `!Ref`/`!Sub`/`!GetAtt`/`!Join` become the
long form). Every template also passes cfn-lint (E rules) unless it lists the errors it means.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from federation_constructs.rules import RULES, Finding, lint_template

CORPUS = Path(__file__).resolve().parent / "lint_corpus"
FLAWED = CORPUS / "flawed"
CORRECT = CORPUS / "correct"
SUFFIXES = (".json", ".yaml", ".yml")
REGION = "us-east-1"


def corpus_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES)


ALL_FILES = corpus_files(FLAWED) + corpus_files(CORRECT)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@dataclass(frozen=True)
class CorpusTemplate:
    path: Path
    text: str
    #: the template as the linter reads it (json for .json, cfn-lint's YAML decoder for .yaml)
    template: dict[str, Any]
    mistake: str
    expect: frozenset[tuple[str, str]]
    allow_warnings: frozenset[str]
    cfn_lint_errors: frozenset[str]

    @property
    def flawed(self) -> bool:
        return self.path.parent == FLAWED


def _decode_yaml(text: str, path: Path) -> dict[str, Any]:
    from cfnlint.decode import decode_str

    template, errors = decode_str(text)
    assert not errors and template is not None, f"{_id(path)}: cfn-lint could not decode it: {errors}"
    return template


@cache
def load(path: Path) -> CorpusTemplate:
    text = path.read_text(encoding="utf-8")
    template = json.loads(text) if path.suffix == ".json" else _decode_yaml(text, path)
    meta = (template.get("Metadata") or {}).get("LintCorpus")
    assert isinstance(meta, dict), f"{_id(path)}: no Metadata.LintCorpus"
    expect = meta.get("Expect")
    assert isinstance(expect, list), f"{_id(path)}: Metadata.LintCorpus.Expect must be a list"
    pairs = []
    for entry in expect:
        assert isinstance(entry, dict) and set(entry) == {"Rule", "Resource"}, (
            f"{_id(path)}: each Expect entry is {{Rule: FEDn, Resource: LogicalId}}, got {entry!r}"
        )
        pairs.append((str(entry["Rule"]), str(entry["Resource"])))
    return CorpusTemplate(
        path=path,
        text=text,
        template=template,
        mistake=str(meta.get("Mistake", "")),
        expect=frozenset(pairs),
        allow_warnings=frozenset(str(r) for r in meta.get("AllowWarnings") or []),
        cfn_lint_errors=frozenset(str(r) for r in meta.get("CfnLintErrors") or []),
    )


@cache
def findings(path: Path) -> tuple[Finding, ...]:
    return tuple(lint_template(load(path).template))


def _describe(found: Iterator[Finding] | tuple[Finding, ...]) -> str:
    lines = [f"  {f.rule_id} {f.level:7} {f.logical_id}: [{f.finding}] {f.detail}" for f in found]
    return "\n".join(lines) or "  (none)"


def _report(item: CorpusTemplate, problem: str) -> str:
    expected = ", ".join(f"{r}@{res}" for r, res in sorted(item.expect)) or "(none)"
    return (
        f"{_id(item.path)}: {problem}\n"
        f"mistake: {item.mistake}\n"
        f"expected: {expected}\n"
        f"found:\n{_describe(findings(item.path))}"
    )


# --- the corpus, template by template ---------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_template_declares_its_expectation(path: Path) -> None:
    item = load(path)
    known = {r.id for r in RULES}
    resources = item.template.get("Resources") or {}
    assert item.mistake, f"{_id(path)}: Metadata.LintCorpus.Mistake is empty"
    for rule_id, logical_id in item.expect:
        assert rule_id in known, f"{_id(path)}: Expect names unknown rule {rule_id}"
        assert logical_id in resources, f"{_id(path)}: Expect names {logical_id}, which is not a resource"
    if item.flawed:
        assert item.expect, f"{_id(path)}: a flawed template must expect at least one finding"
        assert not item.allow_warnings, f"{_id(path)}: AllowWarnings is for correct templates"
        assert not item.mistake.startswith("Correct"), f"{_id(path)}: the Mistake line says Correct"
    else:
        assert not item.expect, f"{_id(path)}: a correct template expects nothing (Expect: [])"
        assert item.mistake.startswith("Correct"), f"{_id(path)}: the Mistake line starts with 'Correct'"
    if path.suffix != ".json":
        first = item.text.splitlines()[0] if item.text else ""
        assert first.startswith("# ") and len(first) > 10, (
            f"{_id(path)}: a YAML template starts with a one-line '# ...' comment naming the mistake"
        )


@pytest.mark.parametrize("path", corpus_files(FLAWED), ids=_id)
def test_flawed_template_gets_exactly_its_findings(path: Path) -> None:
    item = load(path)
    found = findings(path)
    pairs = {(f.rule_id, f.logical_id) for f in found}
    missing = sorted(item.expect - pairs)
    assert not missing, _report(item, f"expected findings not reported: {missing}")
    unexpected = [f for f in found if f.level == "error" and (f.rule_id, f.logical_id) not in item.expect]
    assert not unexpected, _report(item, "error-level findings the template does not expect:\n" + _describe(unexpected))


@pytest.mark.parametrize("path", corpus_files(CORRECT), ids=_id)
def test_correct_template_gets_no_finding(path: Path) -> None:
    item = load(path)
    found = findings(path)
    errors = [f for f in found if f.level == "error"]
    assert not errors, _report(item, "error-level findings on a correct template:\n" + _describe(errors))
    warnings = [f for f in found if f.level == "warning" and f.rule_id not in item.allow_warnings]
    assert not warnings, _report(item, "warnings not listed under AllowWarnings:\n" + _describe(warnings))
    unused = item.allow_warnings - {f.rule_id for f in found}
    assert not unused, _report(item, f"AllowWarnings lists {sorted(unused)}, which are not reported")


# --- cfn-lint ---------------------------------------------------------------------------------


@cache
def _cfn_lint_runner() -> Any:
    """One cfn-lint runner for the whole corpus. `cfnlint.api.lint` builds its ~1,700 rules again on
    every call (about 0.5 s a template); the runner it builds is the same, so build it once."""
    from cfnlint.api import ConfigMixIn, Runner

    return Runner(ConfigMixIn(regions=[REGION]))


def cfn_lint_errors(text: str) -> list[str]:
    """cfn-lint's E-rule matches for a template's text, one line each."""
    from cfnlint.decode import decode_str

    template, decode_errors = decode_str(text)
    matches = list(decode_errors) if decode_errors else list(_cfn_lint_runner().validate_template(template))
    return [f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches if m.rule.id.startswith("E")]


def test_shared_cfn_lint_runner_agrees_with_cfnlint_api() -> None:
    from cfnlint.api import lint

    broken = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"MaxSessionDuration": 99999}}}}
    samples = [json.dumps(broken), load(corpus_files(CORRECT)[0]).text]
    for text in samples:
        via_api = sorted(
            f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}"
            for m in lint(text, regions=[REGION])
            if m.rule.id.startswith("E")
        )
        assert sorted(cfn_lint_errors(text)) == via_api
    assert any("MaxSessionDuration" in e for e in cfn_lint_errors(samples[0]))


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_template_is_valid_cloudformation(path: Path) -> None:
    item = load(path)
    errors = cfn_lint_errors(item.text)
    if item.flawed and item.cfn_lint_errors:
        unexpected = [e for e in errors if e.split(" ", 1)[0] not in item.cfn_lint_errors]
        assert not unexpected, f"{_id(path)}: cfn-lint errors beyond CfnLintErrors:\n" + "\n".join(unexpected)
        return
    assert not item.cfn_lint_errors, f"{_id(path)}: CfnLintErrors is only for flawed templates"
    assert not errors, f"{_id(path)}: cfn-lint errors:\n" + "\n".join(errors)


# --- the corpus as a whole --------------------------------------------------------------------


def test_corpus_size_and_formats() -> None:
    flawed, correct = corpus_files(FLAWED), corpus_files(CORRECT)
    assert len(flawed) >= 40, f"only {len(flawed)} flawed templates"
    assert len(correct) >= 20, f"only {len(correct)} correct templates"
    for folder in (flawed, correct):
        suffixes = {p.suffix for p in folder}
        assert ".json" in suffixes and ".yaml" in suffixes, "each half mixes JSON and YAML"
    short_form = [
        p
        for p in ALL_FILES
        if p.suffix != ".json"
        and any(tag in p.read_text(encoding="utf-8") for tag in ("!Ref ", "!Sub ", "!GetAtt ", "!Join "))
    ]
    assert len(short_form) >= 5, "several YAML templates use short-form intrinsics"
    stray = [p.name for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in SUFFIXES]
    assert not stray, f"files the corpus tests would not read: {stray}"


def test_every_rule_is_expected_by_a_flawed_template() -> None:
    expected = {rule_id for path in corpus_files(FLAWED) for rule_id, _ in load(path).expect}
    missing = [r.id for r in RULES if r.id not in expected]
    assert not missing, f"rules no flawed template exercises: {missing}"
