"""SAML IdP metadata, read safely: hardened XML parsing and the checks IAM would otherwise fail late.

`parse_metadata` never expands a DTD, an entity or an external reference (defusedxml refuses the
document instead), and raises `MetadataProblem` with a sentence that says what is wrong; the
construct prefixes it with its path and the file name.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element, ParseError

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from federation_constructs.errors import FederationValidationError

__all__ = [
    "MAX_METADATA_LENGTH",
    "MIN_METADATA_LENGTH",
    "MetadataProblem",
    "SamlMetadata",
    "SigningCertificate",
    "parse_metadata",
]

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
#: IAM's limits on a SAML metadata document, in characters.
MIN_METADATA_LENGTH, MAX_METADATA_LENGTH = 1000, 10_000_000


class MetadataProblem(FederationValidationError):
    """Metadata that IAM cannot use, or that must not be used; `str()` says why, as a clause
    ("it has no signing certificate ...") that `SamlProvider` prefixes with its path and the source."""


@dataclass(frozen=True, kw_only=True)
class SigningCertificate:
    """A signing certificate from the metadata."""

    subject: str
    not_after: datetime
    sha256: str


@dataclass(frozen=True, kw_only=True)
class SamlMetadata:
    """What the metadata says about the IdP."""

    entity_id: str
    certificates: tuple[SigningCertificate, ...]
    valid_until: datetime | None
    sso_locations: tuple[str, ...]

    def expiring(self, *, within: timedelta, now: datetime) -> tuple[SigningCertificate, ...]:
        """Certificates still valid at `now` that expire within `within`."""
        return tuple(c for c in self.certificates if now < c.not_after <= now + within)


def parse_metadata(xml: str | bytes, *, now: datetime | None = None) -> SamlMetadata:
    """Parse and check IdP metadata; raise `MetadataProblem` for anything IAM or safety refuses."""
    now = now or datetime.now(UTC)
    if not isinstance(xml, (str, bytes)):
        raise MetadataProblem(f"it is a {type(xml).__name__}, not the metadata document (str or bytes)")
    length = len(xml)
    if length < MIN_METADATA_LENGTH:
        raise MetadataProblem(
            f"it is {length} characters long; IAM needs at least {MIN_METADATA_LENGTH} "
            f"(the IdP's full metadata document, not a fragment)"
        )
    if length > MAX_METADATA_LENGTH:
        raise MetadataProblem(f"it is {length} characters long; IAM accepts at most {MAX_METADATA_LENGTH}")
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise MetadataProblem(
            f"it declares a DTD, an entity or an external reference ({type(exc).__name__}); such "
            f"documents are refused, never expanded: export the IdP's metadata without a DOCTYPE"
        ) from None
    except ParseError as exc:
        raise MetadataProblem(f"it is not well-formed XML ({exc})") from None

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
                )
            )
    return found
