"""What `federation-lint` reads: any template a user has, and a one-line refusal for anything else.

CDK output (bootstrap parameter and rule, CDKMetadata, Conditions, Fn::If, asset parameters), YAML
with short-form tags, whole cloud assemblies; and hostile or foreign input (a Kubernetes manifest, an
HTML page, a JSON array, 20 MB, invalid UTF-8, a YAML alias bomb, deep nesting, 2,000 resources), each
refused with one line naming the file and the reason, exit 2, while the other files are still linted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from federation_constructs.lint import LintError, load_sources, main, parse_template
from tests.support import REPO

GOOD = textwrap.dedent("""\
    AWSTemplateFormatVersion: 2010-09-09
    Conditions:
      IsProd: !Equals [!Ref Stage, prod]
    Parameters:
      Stage: {Type: String}
      BootstrapVersion: {Type: "AWS::SSM::Parameter::Value<String>", Default: /cdk-bootstrap/hnb659fds/version}
      AssetParameters1234: {Type: String}
    Rules:
      CheckBootstrapVersion:
        Assertions:
          - Assert: !Not [!Contains [["1", "2"], !Ref BootstrapVersion]]
            AssertDescription: bootstrap too old
    Resources:
      GitHub:
        Type: AWS::IAM::OIDCProvider
        Properties:
          Url: https://token.actions.githubusercontent.com
          ClientIdList: [sts.amazonaws.com]
      Deploy:
        Type: AWS::IAM::Role
        Properties:
          MaxSessionDuration: !If [IsProd, 3600, 7200]
          AssumeRolePolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: sts:AssumeRoleWithWebIdentity
                Principal: {Federated: !GetAtt GitHub.Arn}
                Condition:
                  StringEquals:
                    token.actions.githubusercontent.com:aud: sts.amazonaws.com
                    token.actions.githubusercontent.com:sub: !Sub "repo:octo-org/${Stage}:ref:refs/heads/main"
      CDKMetadata:
        Type: AWS::CDK::Metadata
        Properties: {Analytics: "v2:deflate64:H4sIAAAAAAAA"}
""")


def test_cdk_shaped_yaml_reads_in_the_long_form() -> None:
    template = parse_template(GOOD, "good.yaml")
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"  # a date to YAML, text to CloudFormation
    role = template["Resources"]["Deploy"]["Properties"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert role["AssumeRolePolicyDocument"]["Version"] == "2012-10-17"
    assert statement["Principal"] == {"Federated": {"Fn::GetAtt": ["GitHub", "Arn"]}}
    assert role["MaxSessionDuration"] == {"Fn::If": ["IsProd", 3600, 7200]}
    assert template["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    sub = statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
    assert sub == {"Fn::Sub": "repo:octo-org/${Stage}:ref:refs/heads/main"}


def bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what its one line must say)."""
    files: dict[str, tuple[bytes | str, str]] = {
        "kubernetes": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n",
            "has no Resources mapping (it looks like a Kubernetes manifest)",
        ),
        "html": ("<!DOCTYPE html>\n<html><body><p>Not found</p></body></html>\n", "not a mapping"),
        "array": ('[{"Resources": {}}]', "is a list, not a mapping"),
        "utf16": ("Resources: {}\n".encode("utf-16"), "is not UTF-8 text"),
        "latin1": ("Resources:\n  R\xe9le: {Type: AWS::IAM::Role}\n".encode("latin-1"), "is not UTF-8 text"),
        "alias-bomb": (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
            + "Resources: {R: {Type: AWS::IAM::Role, Properties: {X: *i}}}\n",
            "expands to more than 1,000,000 values through its YAML aliases",
        ),
        "deep-json": ("[" * 100_000 + "]" * 100_000, "nests deeper than 64 levels"),
        "deep-yaml": (
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      X: " + "[" * 5000 + "]" * 5000,
            "nests deeper than 64 levels",
        ),
        "many-resources": (
            json.dumps({"Resources": {f"Topic{i}": {"Type": "AWS::SNS::Topic"} for i in range(2000)}}),
            "has 2,000 resources; CloudFormation allows at most 500 in one stack",
        ),
        "two-documents": ("Resources: {A: {Type: AWS::SNS::Topic}}\n---\nResources: {}\n", "not valid YAML"),
        "no-type": ('{"Resources": {"A": {"Properties": {}}}}', "resource 'A' has no Type"),
    }
    found = {}
    for name, (content, message) in files.items():
        path = folder / f"{name}.template"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        found[name] = (path, message)
    huge = folder / "huge.template.json"
    with huge.open("wb") as handle:  # 20 MB: refused by its size, never read
        handle.write(b'{"Resources": {}, "Pad": "')
        handle.write(b"x" * 20_000_000)
        handle.write(b'"}')
    found["huge"] = (huge, "is 20,000,028 bytes; expected a CloudFormation template (at most 4,194,304 bytes")
    return found


def test_each_bad_input_is_one_line_exit_2_and_the_good_file_is_still_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = bad_inputs(tmp_path)
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    code = main(["--format", "json", *(str(p) for p, _ in bad.values()), str(good)])
    out, err = capsys.readouterr()
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == len(bad), err
    for (path, message), line in zip(bad.values(), lines, strict=True):
        assert line.startswith(f"federation-lint: {path}") and message in line, (path.name, line)
    report = json.loads(out)
    assert report["files"] == [str(good)] and report["summary"]["errors"] == 0


@pytest.mark.parametrize("name", ["alias-bomb", "deep-json", "huge", "many-resources"])
def test_the_library_call_raises_the_same_reason(tmp_path: Path, name: str) -> None:
    path, message = bad_inputs(tmp_path)[name]
    _, errors = load_sources([path])
    assert len(errors) == 1 and message in errors[0]
    with pytest.raises(LintError, match="^" + str(path)):
        from federation_constructs.lint import lint_files

        lint_files([path])


def test_a_directory_that_is_not_an_assembly_is_named(tmp_path: Path) -> None:
    _, errors = load_sources([tmp_path])
    assert errors == [
        f"{tmp_path}: is a directory without manifest.json; expected a template file or a cloud "
        f"assembly written by `cdk synth` (cdk.out)"
    ]


def test_the_default_run_starts_no_node_and_loads_no_cdk(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    code = (
        "import sys; from federation_constructs.lint import main; code = main([sys.argv[1]]); "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs', 'cdk_nag')); "
        "print(code, loaded)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(good)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 []"


def test_a_template_in_an_assembly_is_bounded_like_a_file(tmp_path: Path) -> None:
    """An assembly's templates are read through the same bounded reader: a 20 MB template is refused by
    its size (never parsed), and the assembly's other stack is still linted."""
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "Good.template.json").write_text(json.dumps(parse_template(GOOD, "good.yaml")))
    with (out / "Huge.template.json").open("wb") as handle:
        handle.write(b'{"Resources": {}, "Pad": "' + b"x" * 20_000_000 + b'"}')
    artifacts = {
        name: {
            "type": "aws:cloudformation:stack",
            "environment": "aws://111122223333/eu-west-1",
            "properties": {"templateFile": f"{name}.template.json"},
        }
        for name in ("Good", "Huge")
    }
    (out / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    sources, errors = load_sources([out])
    assert [s.label for s in sources] == [str(out / "Good.template.json")]
    assert len(errors) == 1 and errors[0].startswith(f"{out / 'Huge.template.json'}: is 20,000,028 bytes")
