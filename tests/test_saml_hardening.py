"""SAML metadata that is hostile, oversized or not yet usable: each refused with one message.

Signing certificates that are not valid yet are refused like expired ones when no certificate is
valid now, and warned about beside a valid one. Input is bounded (1 MiB, 32 levels of nesting,
10,000 elements; no DTD or entity): every refusal names the metadata file and what is wrong, in one
line without a traceback, within 2 seconds. Construct refusals are `FederationValidationError`s
(the form of `federation_constructs.errors.invalid`); one app serves the module, nothing is
synthesized except by the one `app.py` subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Environment, Stack

from federation_constructs.errors import FederationValidationError
from federation_constructs.saml import SamlProvider, parse_metadata
from federation_constructs.saml.metadata import MAX_ELEMENT_DEPTH, MAX_ELEMENTS, MAX_METADATA_BYTES
from scripts.saml_metadata import build_metadata, self_signed_certificate
from stacks.build import build_stacks
from stacks.config import load_config
from tests.support import REPO, new_app, tool_env

ACCOUNT = "111122223333"
STACK = "SamlHardening"
METADATA = "usable SAML 2.0 IdP metadata, but "
DTD_PHRASE = "DTD, an entity or an external reference"
#: the time bound of every refusal
SECONDS = 2.0

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10))
    + "]>"
)


@dataclass(frozen=True)
class Certs:
    """Base64 DER certificates, each made once (an RSA key costs ~50 ms)."""

    valid: str  # valid for 10 years
    expired: str  # expired yesterday
    future: str  # valid from in 20 days
    future_from: datetime


@pytest.fixture(scope="module")
def certs() -> Certs:
    now = datetime.now(UTC)
    future_from = now + timedelta(days=20)
    return Certs(
        valid=self_signed_certificate("Valid Signing", now - timedelta(days=1), now + timedelta(days=3650)),
        expired=self_signed_certificate("Expired Signing", now - timedelta(days=400), now - timedelta(days=1)),
        future=self_signed_certificate("Next Signing", future_from, future_from + timedelta(days=3650)),
        future_from=future_from,
    )


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(new_app(), STACK, env=Environment(account=ACCOUNT, region="eu-west-1"))


def warnings_of(provider: SamlProvider) -> list[str]:
    return [str(entry.data) for entry in provider.node.metadata if entry.type == "aws:cdk:warning"]


@contextmanager
def refused_file(path: str, file: Path | str, *phrases: str) -> Iterator[None]:
    """Expect one refusal, within `SECONDS`, naming the construct, the metadata file and every phrase."""
    started = time.perf_counter()
    with pytest.raises(FederationValidationError) as caught:
        yield
    elapsed = time.perf_counter() - started
    message = str(caught.value)
    field = "metadata_xml" if file == "inline" else "metadata_file"
    prefix = f"{path}: {field}={str(file)!r} is not accepted; expected {METADATA}"
    assert message.startswith(prefix), f"{message!r}\ndoes not start with\n{prefix!r}"
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    assert "\n" not in message and "Traceback" not in message, message
    assert len(message) < 1000, message
    assert elapsed < SECONDS, f"{elapsed:.2f} s"


def write(tmp_path: Path, content: str | bytes, name: str = "idp.xml") -> Path:
    file = tmp_path / name
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content, encoding="utf-8")
    return file


# --- certificates not valid yet ---------------------------------------------------------------


def test_a_certificate_not_valid_yet_is_refused(
    stack: Stack, cid: str, path: str, certs: Certs, tmp_path: Path
) -> None:
    file = write(tmp_path, build_metadata(certificates=[certs.future]))
    with refused_file(
        path,
        file,
        "no signing certificate is valid yet",
        f"CN=Next Signing is not valid before {certs.future_from:%Y-%m-%d}",
    ):
        SamlProvider(stack, cid, metadata_file=file)


def test_an_expired_and_a_not_yet_valid_certificate_are_refused(
    stack: Stack, cid: str, path: str, certs: Certs
) -> None:
    with refused_file(
        path,
        "inline",
        "no signing certificate is valid yet",
        "CN=Next Signing",
        "the other 1 has expired",
    ):
        SamlProvider(stack, cid, metadata_xml=build_metadata(certificates=[certs.expired, certs.future]))


def test_a_valid_and_a_not_yet_valid_certificate_pass_with_a_warning(stack: Stack, cid: str, certs: Certs) -> None:
    provider = SamlProvider(stack, cid, metadata_xml=build_metadata(certificates=[certs.valid, certs.future]))
    (warning,) = warnings_of(provider)
    assert f"CN=Next Signing in inline is not valid before {certs.future_from:%Y-%m-%d}" in warning, warning
    assert "rollover" in warning
    assert len(provider.metadata.certificates) == 2


def test_a_valid_certificate_alone_has_no_warning(stack: Stack, cid: str, certs: Certs) -> None:
    provider = SamlProvider(stack, cid, metadata_xml=build_metadata(certificates=[certs.valid]))
    assert warnings_of(provider) == []


def test_the_certificates_validity_is_read(certs: Certs) -> None:
    metadata = parse_metadata(build_metadata(certificates=[certs.valid, certs.future]))
    valid, future = metadata.certificates
    assert future.not_before is not None and abs(future.not_before - certs.future_from) < timedelta(seconds=1)
    now = datetime.now(UTC)
    assert valid.valid_at(now) and not future.valid_at(now)
    assert metadata.not_yet_valid(now) == (future,)
    assert metadata.validity_problem(now) is None
    assert metadata.validity_problem(now - timedelta(days=30)) is not None  # before either was valid


def test_parse_metadata_still_reads_certificates_at_any_time(certs: Certs) -> None:
    """`federation-verify` reads live metadata with `now` at 1970 to judge dates itself: the parser
    refuses only metadata whose every certificate has expired, never one that is not valid yet."""
    epoch = datetime(1970, 1, 2, tzinfo=UTC)
    metadata = parse_metadata(build_metadata(certificates=[certs.future]), now=epoch)
    assert len(metadata.certificates) == 1


# --- bounded input ----------------------------------------------------------------------------


def test_a_metadata_file_over_1_mib_is_refused(stack: Stack, cid: str, path: str, certs: Certs, tmp_path: Path) -> None:
    good = build_metadata(certificates=[certs.valid])
    file = write(
        tmp_path, good.replace("</EntityDescriptor>", "<!--" + "x" * MAX_METADATA_BYTES + "--></EntityDescriptor>")
    )
    size = file.stat().st_size
    with refused_file(path, file, f"it is {size:,} bytes", "at most 1,048,576 bytes (1 MiB)"):
        SamlProvider(stack, cid, metadata_file=file)


def test_a_huge_sparse_file_is_refused_without_being_read(stack: Stack, cid: str, path: str, tmp_path: Path) -> None:
    file = tmp_path / "huge.xml"
    with file.open("wb") as stream:
        stream.truncate(8 * 1024**3)  # 8 GiB, sparse: reading it would take minutes and the memory
    with refused_file(path, file, f"it is {8 * 1024**3:,} bytes", "at most 1,048,576 bytes (1 MiB)"):
        SamlProvider(stack, cid, metadata_file=file)


def test_inline_metadata_over_1_mib_is_refused(stack: Stack, cid: str, path: str, certs: Certs) -> None:
    xml = build_metadata(certificates=[certs.valid]) + " " * MAX_METADATA_BYTES
    with refused_file(path, "inline", "at most 1,048,576 bytes (1 MiB)"):
        SamlProvider(stack, cid, metadata_xml=xml)


def test_metadata_of_100_kb_is_accepted(stack: Stack, cid: str, certs: Certs) -> None:
    """Room for the largest real IdP metadata (AD FS or Entra ID with many certificates and claims)."""
    xml = build_metadata(certificates=[certs.valid] * 100)
    assert 100_000 < len(xml) < MAX_METADATA_BYTES
    provider = SamlProvider(stack, cid, metadata_xml=xml)
    assert len(provider.metadata.certificates) == 100


def nested(certs: Certs, depth: int) -> str:
    deep = "<Extensions>" + "<a>" * depth + "</a>" * depth + "</Extensions>"
    return build_metadata(certificates=[certs.valid]).replace("<NameIDFormat>", deep + "<NameIDFormat>", 1)


def test_deeply_nested_xml_is_refused(stack: Stack, cid: str, path: str, certs: Certs, tmp_path: Path) -> None:
    file = write(tmp_path, nested(certs, 100_000))
    assert file.stat().st_size < MAX_METADATA_BYTES
    with refused_file(path, file, f"its elements nest more than {MAX_ELEMENT_DEPTH} levels deep"):
        SamlProvider(stack, cid, metadata_file=file)


def test_nesting_within_the_bound_is_accepted(stack: Stack, cid: str, certs: Certs) -> None:
    SamlProvider(stack, cid, metadata_xml=nested(certs, MAX_ELEMENT_DEPTH - 4))


def test_xml_with_too_many_elements_is_refused(stack: Stack, cid: str, path: str, certs: Certs, tmp_path: Path) -> None:
    many = "<Extensions>" + "<b/>" * 200_000 + "</Extensions>"
    file = write(
        tmp_path, build_metadata(certificates=[certs.valid]).replace("<NameIDFormat>", many + "<NameIDFormat>", 1)
    )
    assert file.stat().st_size < MAX_METADATA_BYTES
    with refused_file(path, file, f"it has more than {MAX_ELEMENTS:,} elements"):
        SamlProvider(stack, cid, metadata_file=file)


def test_billion_laughs_is_refused_unexpanded(stack: Stack, cid: str, path: str, certs: Certs, tmp_path: Path) -> None:
    file = write(tmp_path, build_metadata(certificates=[certs.valid], doctype=BILLION_LAUGHS, entity_id="&lol9;"))
    with refused_file(path, file, DTD_PHRASE, "never expanded"):
        SamlProvider(stack, cid, metadata_file=file)


def test_an_entity_declared_without_a_doctype_name_is_refused(stack: Stack, cid: str, path: str) -> None:
    """The parser stops at the DOCTYPE itself: the entity declarations are never read."""
    xml = '<?xml version="1.0"?>' + BILLION_LAUGHS.replace("lolz", "EntityDescriptor") + "<x>&lol9;</x>" + " " * 1000
    with refused_file(path, "inline", DTD_PHRASE):
        SamlProvider(stack, cid, metadata_xml=xml)


def test_a_binary_file_is_refused(stack: Stack, cid: str, path: str, tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20
    file = write(tmp_path, png, "logo.png")
    with refused_file(path, file, "it is a binary file"):
        SamlProvider(stack, cid, metadata_file=file)


def test_a_file_in_another_encoding_is_refused(stack: Stack, cid: str, path: str, certs: Certs, tmp_path: Path) -> None:
    latin1 = build_metadata(certificates=[certs.valid], entity_id="http://adfs.example.com/société").encode("latin-1")
    file = write(tmp_path, latin1)
    with refused_file(path, file, "it is not UTF-8 text (byte 0xe9 at offset"):
        SamlProvider(stack, cid, metadata_file=file)


def test_a_directory_is_refused(stack: Stack, cid: str, path: str, tmp_path: Path) -> None:
    with refused_file(path, tmp_path, "it is not a regular file"):
        SamlProvider(stack, cid, metadata_file=tmp_path)


# --- through the config -----------------------------------------------------------------------

CONFIG = """\
name: saml-hardening
account: "111122223333"
region: eu-west-1
saml:
  providers:
    - id: CorpIdp
      metadata: idp.xml
"""


def config_with(tmp_path: Path, metadata: str | bytes) -> Path:
    write(tmp_path, metadata)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def test_config_metadata_not_valid_yet_is_refused_at_build(certs: Certs, tmp_path: Path) -> None:
    config = config_with(tmp_path, build_metadata(certificates=[certs.future]))
    with refused_file("saml-hardening/CorpIdp", tmp_path / "idp.xml", "no signing certificate is valid yet"):
        build_stacks(new_app(), load_config(config))


@pytest.mark.slow
def test_app_with_oversized_metadata_exits_2_with_one_line(certs: Certs, tmp_path: Path) -> None:
    good = build_metadata(certificates=[certs.valid])
    config = config_with(tmp_path, good + "<!--" + "x" * (2 * MAX_METADATA_BYTES) + "-->")
    env = tool_env()
    env["CDK_OUTDIR"] = str(tmp_path / "cdk.out")
    env["CDK_CONTEXT_JSON"] = json.dumps({"config": str(config)})
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    file: Any = str(tmp_path / "idp.xml")
    assert lines[0].startswith(f"saml-hardening/CorpIdp: metadata_file={file!r} is not accepted"), lines[0]
    assert "at most 1,048,576 bytes (1 MiB)" in lines[0]
