"""Make SAML 2.0 IdP metadata with a fresh self-signed certificate: for the example and for tests.

The bundled example's metadata (`examples/saml/adfs-example-metadata.xml`) is made by this script
for a fictional AD FS at adfs.example.com; it is no real company's. The private key is thrown away:
the metadata only needs the public certificate. Regenerate with:

    .venv/bin/python -m scripts.saml_metadata examples/saml/adfs-example-metadata.xml
"""

from __future__ import annotations

import base64
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

__all__ = ["build_metadata", "self_signed_certificate"]

ENTITY_ID = "http://adfs.example.com/adfs/services/trust"
SSO_URL = "https://adfs.example.com/adfs/ls/"


def self_signed_certificate(common_name: str, not_before: datetime, not_after: datetime) -> str:
    """A base64 DER self-signed RSA certificate (the key is discarded)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def build_metadata(
    *,
    entity_id: str = ENTITY_ID,
    sso_url: str = SSO_URL,
    certificates: list[str] | None = None,
    use: str | None = "signing",
    valid_until: datetime | None = None,
    descriptor: str = "IDPSSODescriptor",
    doctype: str = "",
) -> str:
    """AD FS-style IdP metadata; every part can be varied to make bad documents for tests."""
    now = datetime.now(UTC)
    certs = (
        certificates
        if certificates is not None
        else [
            self_signed_certificate(
                "ADFS Signing - adfs.example.com", now - timedelta(days=1), now + timedelta(days=3650)
            )
        ]
    )
    use_attr = f' use="{use}"' if use else ""
    keys = "".join(
        f'<KeyDescriptor{use_attr}><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data>'
        f"<X509Certificate>{c}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"
        for c in certs
    )
    until = f' validUntil="{valid_until:%Y-%m-%dT%H:%M:%SZ}"' if valid_until else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{doctype}\n'
        f'<EntityDescriptor ID="_example-adfs" entityID="{entity_id}"{until} '
        f'xmlns="urn:oasis:names:tc:SAML:2.0:metadata">\n'
        f'<{descriptor} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}\n'
        f'<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso_url}"/>\n'
        "<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>\n"
        "<NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>\n"
        "<NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat>\n"
        f'<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso_url}"/>\n'
        f'<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{sso_url}"/>\n'
        f"</{descriptor}>\n</EntityDescriptor>\n"
    )


def main(argv: list[str]) -> int:
    """Write the example metadata (certificate valid 10 years from now) to the given path."""
    if len(argv) != 1:
        print("usage: python -m scripts.saml_metadata OUTPUT.xml", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(build_metadata(), encoding="utf-8")
    print(f"wrote {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
