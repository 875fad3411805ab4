"""SAML IdP metadata, read safely: hardened XML parsing and the checks IAM would otherwise fail late.

`parse_metadata` never expands a DTD, an entity or an external reference (defusedxml refuses the
document instead), and raises `MetadataProblem` with a sentence that says what is wrong; the
construct prefixes it with its path and the file name.

Input is bounded before and while it is parsed, so no document of any size or shape costs more
than a fraction of a second or ends in a traceback:

- at most `MAX_METADATA_BYTES` (1 MiB). An IdP's own metadata is a few KB (Okta, Google) to some
  tens of KB (Entra ID, AD FS with its WS-Federation roles); the document is inlined into the
  CloudFormation template, which is itself limited to 1 MB. Only a federation's aggregate
  (an `EntitiesDescriptor` of many entities, refused anyway) is larger. `read_metadata_file` checks
  the size before reading, reads no more than the bound, and refuses what is not UTF-8 text;
- at most `MAX_ELEMENT_DEPTH` (32) levels of nested elements (real metadata: fewer than 10) and
  `MAX_ELEMENTS` (10,000) elements (real metadata: a few hundred), counted while parsing;
- no DTD, entity declaration or external reference (defusedxml's `forbid_dtd`, `forbid_entities`,
  `forbid_external` on the expat parser): a billion-laughs document stops at its DOCTYPE.

A signing certificate that has expired, or is not valid yet, signs nothing IAM accepts:
`parse_metadata` refuses metadata whose every certificate has expired, and
`SamlMetadata.validity_problem` says when none is valid at a given time (an expired one and one
not valid yet included); `SamlProvider` refuses that and warns about a certificate that is not
valid yet beside a valid one (the IdP's next certificate, published before a rollover).
"""

from __future__ import annotations

import base64
import binascii
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from federation_constructs.errors import FederationValidationError

__all__ = [
    "MAX_ELEMENTS",
    "MAX_ELEMENT_DEPTH",
    "MAX_METADATA_BYTES",
    "MAX_METADATA_LENGTH",
    "MIN_METADATA_LENGTH",
    "MetadataProblem",
    "SamlMetadata",
    "SigningCertificate",
    "parse_metadata",
    "read_metadata_file",
]

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
#: IAM's limits on a SAML metadata document, in characters (the toolkit's own bound is lower).
MIN_METADATA_LENGTH, MAX_METADATA_LENGTH = 1000, 10_000_000
#: The largest metadata document read, in bytes of UTF-8: 1 MiB (see the module's doc).
MAX_METADATA_BYTES = 1024 * 1024
#: The deepest nesting of elements accepted (the root is level 1).
MAX_ELEMENT_DEPTH = 32
#: The most elements accepted in one document.
MAX_ELEMENTS = 10_000


class MetadataProblem(FederationValidationError):
    """Metadata that IAM cannot use, or that must not be used; `str()` says why, as a clause
    ("it has no signing certificate ...") that `SamlProvider` prefixes with its path and the source."""


@dataclass(frozen=True, kw_only=True)
class SigningCertificate:
    """A signing certificate from the metadata."""

    subject: str
    not_after: datetime
    sha256: str
    #: when the certificate becomes valid (None where it was not read, e.g. made by hand)
    not_before: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        """Whether the certificate is within its validity period at `now`."""
        return (self.not_before is None or self.not_before <= now) and now < self.not_after


@dataclass(frozen=True, kw_only=True)
class SamlMetadata:
    """What the metadata says about the IdP."""

    entity_id: str
    certificates: tuple[SigningCertificate, ...]
    valid_until: datetime | None
    sso_locations: tuple[str, ...]

    def expiring(self, *, within: timedelta, now: datetime) -> tuple[SigningCertificate, ...]:
        """Certificates valid at `now` that expire within `within`."""
        return tuple(c for c in self.certificates if c.valid_at(now) and c.not_after <= now + within)

    def not_yet_valid(self, now: datetime) -> tuple[SigningCertificate, ...]:
        """Certificates whose validity starts after `now`."""
        return tuple(c for c in self.certificates if c.not_before is not None and now < c.not_before)

    def validity_problem(self, now: datetime) -> str | None:
        """None when at least one signing certificate is valid at `now`; else why none is, as a
        clause like `MetadataProblem`'s (IAM verifies assertions only with a valid certificate)."""
        if any(c.valid_at(now) for c in self.certificates):
            return None
        early = self.not_yet_valid(now)
        if not early:
            latest = max(c.not_after for c in self.certificates)
            return f"every signing certificate has expired (the latest on {latest:%Y-%m-%d})"
        first = min(early, key=lambda c: c.not_before or now)
        expired = len(self.certificates) - len(early)
        return (
            f"no signing certificate is valid yet: {first.subject} is not valid before "
            f"{first.not_before:%Y-%m-%d %H:%M} UTC"
            + (f" and the other {expired} {'has' if expired == 1 else 'have'} expired" if expired else "")
            + ": check the IdP's clock and certificate, or download current metadata from the IdP"
        )


def parse_metadata(xml: str | bytes, *, now: datetime | None = None) -> SamlMetadata:
    """Parse and check IdP metadata; raise `MetadataProblem` for anything IAM or safety refuses."""
    now = now or datetime.now(UTC)
    if not isinstance(xml, (str, bytes)):
        raise MetadataProblem(f"it is a {type(xml).__name__}, not the metadata document (str or bytes)")
    _check_size(len(xml) if isinstance(xml, bytes) else _utf8_length(xml))
    length = len(xml)
    if length < MIN_METADATA_LENGTH:
        raise MetadataProblem(
            f"it is {length} characters long; IAM needs at least {MIN_METADATA_LENGTH} "
            f"(the IdP's full metadata document, not a fragment)"
        )
    root = _parse(xml)

    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        raise MetadataProblem("it holds several entities (EntitiesDescriptor); give the IdP's own EntityDescriptor")
    if root.tag != f"{{{MD}}}EntityDescriptor":
        raise MetadataProblem(
            f"its root element is {_local(root.tag)!r}; SAML 2.0 IdP metadata starts "
            f"with an EntityDescriptor in the namespace {MD}"
        )
    entity_id = root.get("entityID") or ""
    if not entity_id:
        raise MetadataProblem("its EntityDescriptor has no entityID")
    idp = root.find(f"{{{MD}}}IDPSSODescriptor")
    if idp is None:
        kind = (
            "a service provider (SPSSODescriptor)"
            if root.find(f"{{{MD}}}SPSSODescriptor") is not None
            else "no IDPSSODescriptor"
        )
        raise MetadataProblem(
            f"it describes {kind}, not a SAML identity provider: export the metadata of "
            f"the IdP (e.g. AD FS FederationMetadata.xml, Okta/Entra 'IdP metadata')"
        )
    if SAML2_PROTOCOL not in (idp.get("protocolSupportEnumeration") or "").split():
        raise MetadataProblem(f"its IDPSSODescriptor does not list {SAML2_PROTOCOL} in protocolSupportEnumeration")

    valid_until = _earliest(_datetime_attr(e, "validUntil") for e in (root, idp))
    if valid_until is not None and valid_until <= now:
        raise MetadataProblem(
            f"its validUntil ({valid_until:%Y-%m-%d %H:%M} UTC) has passed: download current metadata from the IdP"
        )
    certificates = tuple(_signing_certificates(idp))
    if not certificates:
        raise MetadataProblem(
            'it has no signing certificate (KeyDescriptor use="signing" with an '
            "X509Certificate): IAM could not verify any assertion"
        )
    if all(c.not_after <= now for c in certificates):
        latest = max(c.not_after for c in certificates)
        raise MetadataProblem(
            f"every signing certificate has expired (the latest on {latest:%Y-%m-%d}): "
            f"download current metadata from the IdP"
        )
    locations = tuple(e.get("Location") or "" for e in idp.findall(f"{{{MD}}}SingleSignOnService"))
    return SamlMetadata(
        entity_id=entity_id, certificates=certificates, valid_until=valid_until, sso_locations=locations
    )


def read_metadata_file(path: str | Path) -> str:
    """The text of a metadata file, read within `MAX_METADATA_BYTES`: the size is checked before
    reading and no more than the bound is read (a device or a growing file stops there too).
    Raises `FileNotFoundError` for a missing file and `MetadataProblem` for a file that is not
    UTF-8 text, is too large or cannot be read."""
    file = Path(path)
    try:
        status = file.stat()
        if not stat.S_ISREG(status.st_mode):
            raise MetadataProblem("it is not a regular file (a directory, a pipe or a device?)")
        _check_size(status.st_size)
        with file.open("rb") as stream:
            data = stream.read(MAX_METADATA_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise MetadataProblem(f"it cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_METADATA_BYTES:  # it grew after the stat
        _check_size(len(data), more_than=True)
    if b"\0" in data:
        raise MetadataProblem("it is a binary file (it holds NUL bytes), not the IdP's metadata XML")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataProblem(
            f"it is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): a binary file, or XML "
            f"in another encoding; export the IdP's metadata XML as UTF-8"
        ) from None


def _utf8_length(text: str) -> int:
    if len(text) > MAX_METADATA_BYTES:  # at least one byte per character: too large without encoding it
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _check_size(size: int, *, more_than: bool = False) -> None:
    if size > MAX_METADATA_BYTES:
        raise MetadataProblem(
            f"it is {f'more than {MAX_METADATA_BYTES:,}' if more_than else f'{size:,}'} bytes; the toolkit reads at "
            f"most {MAX_METADATA_BYTES:,} bytes (1 MiB) of metadata: an IdP's own metadata is a few to some tens "
            f"of KB, so this is not it (a federation's aggregate, or another file)"
        )


class _TooLarge(Exception):
    """Raised from the tree builder to stop the parser; `str()` is the `MetadataProblem` clause."""


class _BoundedBuilder:
    """An ElementTree builder that stops the parse past `MAX_ELEMENT_DEPTH` or `MAX_ELEMENTS`."""

    def __init__(self) -> None:
        self._builder = TreeBuilder()
        self._depth = 0
        self._count = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        self._count += 1
        if self._depth > MAX_ELEMENT_DEPTH:
            raise _TooLarge(
                f"its elements nest more than {MAX_ELEMENT_DEPTH} levels deep; IdP metadata nests fewer than 10 "
                f"(the toolkit stops there)"
            )
        if self._count > MAX_ELEMENTS:
            raise _TooLarge(
                f"it has more than {MAX_ELEMENTS:,} elements; IdP metadata has a few hundred (the toolkit stops there)"
            )
        return self._builder.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, text: str) -> None:
        self._builder.data(text)

    def close(self) -> Element:
        return self._builder.close()


def _parse(xml: str | bytes) -> Element:
    parser: Any = DefusedXMLParser(
        target=_BoundedBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(xml)
        root: Element = parser.close()
    except DefusedXmlException as exc:
        raise MetadataProblem(
            f"it declares a DTD, an entity or an external reference ({type(exc).__name__}); such "
            f"documents are refused, never expanded: export the IdP's metadata without a DOCTYPE"
        ) from None
    except _TooLarge as exc:
        raise MetadataProblem(str(exc)) from None
    except ParseError as exc:
        raise MetadataProblem(f"it is not well-formed XML ({exc})") from None
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _datetime_attr(element: Element, name: str) -> datetime | None:
    raw = element.get(name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise MetadataProblem(f"its {name} {raw!r} is not an xs:dateTime") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _earliest(values: object) -> datetime | None:
    present = [v for v in values if v is not None]  # type: ignore[attr-defined]
    return min(present) if present else None


def _signing_certificates(idp: Element) -> list[SigningCertificate]:
    found = []
    for key in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if key.get("use", "signing") != "signing":
            continue  # use="encryption" keys sign nothing
        for node in key.iter(f"{{{DS}}}X509Certificate"):
            text = "".join((node.text or "").split())
            try:
                certificate = x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
            except (binascii.Error, ValueError):
                raise MetadataProblem("a signing X509Certificate is not a base64 DER certificate") from None
            found.append(
                SigningCertificate(
                    subject=certificate.subject.rfc4514_string(),
                    not_after=certificate.not_valid_after_utc,
                    sha256=certificate.fingerprint(hashes.SHA256()).hex(),
                    not_before=certificate.not_valid_before_utc,
                )
            )
    return found
