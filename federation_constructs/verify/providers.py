"""OIDC and SAML providers: the template's against the account's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from federation_constructs.saml.metadata import MetadataProblem, parse_metadata
from federation_constructs.verify.live import LiveAccount, LiveSamlProvider, LiveStack
from federation_constructs.verify.report import Item
from federation_constructs.verify.resolve import Resolver, contains_marker

__all__ = ["EXPIRY_WARNING_DAYS", "check_imported", "check_oidc", "check_saml", "issuer_of"]

#: a live SAML signing certificate closer than this to expiry is a warning
EXPIRY_WARNING_DAYS = 30
_HASH = re.compile(r"[0-9A-F]{8}$")
_PROVIDER_ARN = re.compile(r"^arn:[a-z-]+:iam::(\d{12}):(oidc|saml)-provider/(.+)$")
_EPOCH = datetime(1970, 1, 2, tzinfo=UTC)


def issuer_of(url: str) -> str:
    """An issuer URL as IAM returns it: host and path, without the scheme."""
    return re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url)


def _folded(issuer: str) -> str:
    return issuer.lower().rstrip("/")


def _config_id(logical_id: str) -> str:
    """The construct id behind a CDK logical id (`GitHub4508AE39` -> `GitHub`), for advice."""
    return _HASH.sub("", logical_id) or logical_id


def check_oidc(
    logical_id: str, resource: dict[str, Any], *, resolver: Resolver, live: LiveAccount, stack: LiveStack | None
) -> Item:
    """One `AWS::IAM::OIDCProvider` of the template."""
    properties = resolver.resolve(resource.get("Properties") or {})
    url = properties.get("Url")
    item = Item(kind="oidc-provider", logical_id=logical_id, name=str(url))
    if not isinstance(url, str) or contains_marker(url):
        item.warnings.append("cannot-compare")
        item.details.append(f"its Url ({url}) is known only to CloudFormation: not compared")
        return item
    issuer = issuer_of(url)
    item.name = issuer
    declared = sorted(str(c) for c in properties.get("ClientIdList") or [])
    providers = live.oidc_providers()
    by_arn = {p.arn: p for p in providers}
    owned = stack.physical.get(logical_id) if stack else None
    same = [p for p in providers if p.url == issuer]
    near = [p for p in providers if p.url != issuer and _folded(p.url) == _folded(issuer)]
    item.facts = {"client_ids": {"synthesized": declared}, "near_duplicates": [p.arn for p in near]}
    current = by_arn.get(owned) if owned else None
    if stack is not None and owned:
        item.arn = owned
        if current is None:
            item.problems.append("missing")
            item.details.append(
                f"the stack's provider {owned} no longer exists in the account (deleted outside "
                f"CloudFormation): every token of {issuer} is refused until it exists again"
            )
    elif same:
        current = same[0]
        item.arn = current.arn
        item.problems.append("exists-outside-stack")
        where = "the stack is not deployed" if stack is None else "the stack does not own it"
        item.details.append(
            f"the account already has {current.arn} for this issuer and {where}: IAM allows one provider per "
            f"issuer, so deploying would fail (EntityAlreadyExists). Import it instead: in the config, "
            f"`existing: true` on provider {_config_id(logical_id)} (in code: OidcProvider.from_issuer)"
        )
    else:
        item.problems.append("missing")
        item.details.append(
            f"the account has no OIDC provider for {issuer}"
            + (
                " (the stack would create it)"
                if stack is None
                else f": the deployed stack has no resource {logical_id}; deploy the current template"
            )
        )
    if current is not None:
        live_ids = sorted(current.client_ids)
        item.facts["client_ids"]["live"] = live_ids
        if set(live_ids) != set(declared):
            item.problems.append("client-ids-differ")
            item.details.append(_set_change("client ids (audiences)", declared, live_ids))
        thumbprints = sorted(str(t).lower() for t in properties.get("ThumbprintList") or [])
        if thumbprints and thumbprints != sorted(t.lower() for t in current.thumbprints):
            item.details.append(
                f"note: thumbprints differ (synthesized {thumbprints}, live {sorted(current.thumbprints)}); "
                f"IAM verifies well-known issuers without them, so this is not drift"
            )
    if near:
        item.problems.append("duplicate-issuer")
        names = ", ".join(f"{p.arn} (url {p.url})" for p in near)
        item.details.append(
            f"the account also has {names}, differing from {issuer} only by a trailing slash or "
            f"letter case: a token's iss matches one exactly, so the other is unused or trusted by "
            f"mistake; delete the one no trust policy should name"
        )
    _order(item)
    return item


def _order(item: Item) -> None:
    order = ["missing", "exists-outside-stack", "expired", "client-ids-differ", "metadata-differs", "duplicate-issuer"]
    item.problems.sort(key=lambda p: order.index(p) if p in order else len(order))


def _set_change(what: str, synthesized: list[str], live: list[str]) -> str:
    lost, extra = sorted(set(synthesized) - set(live)), sorted(set(live) - set(synthesized))
    parts = ([f"missing live: {', '.join(lost)}"] if lost else []) + (
        [f"only live: {', '.join(extra)}"] if extra else []
    )
    return f"{what} differ: {'; '.join(parts)}"


# --- SAML -------------------------------------------------------------------------------------------


def _certificates(document: str) -> tuple[list[Any], str | None]:
    """The signing certificates of a metadata document, expired ones included (expiry is judged here,
    not refused); or the reason the document cannot be read."""
    try:
        return list(parse_metadata(document, now=_EPOCH).certificates), None
    except MetadataProblem as problem:
        return [], str(problem)


def _describe(certificate: Any, now: datetime) -> dict[str, Any]:
    days = (certificate.not_after - now) // timedelta(days=1)
    return {
        "subject": certificate.subject,
        "sha256": certificate.sha256,
        "not_after": certificate.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "days_left": days,
    }


def check_saml(
    logical_id: str,
    resource: dict[str, Any],
    *,
    resolver: Resolver,
    live: LiveAccount,
    stack: LiveStack | None,
    now: datetime,
) -> Item:
    """One `AWS::IAM::SAMLProvider` of the template."""
    properties = resolver.resolve(resource.get("Properties") or {})
    name, document = properties.get("Name"), properties.get("SamlMetadataDocument")
    item = Item(kind="saml-provider", logical_id=logical_id, name=str(name or logical_id))
    by_arn = {p.arn: p for p in live.saml_providers()}
    owned = stack.physical.get(logical_id) if stack else None
    expected = (
        f"arn:{resolver.partition}:iam::{resolver.account}:saml-provider/{name}"
        if isinstance(name, str) and not contains_marker(name)
        else None
    )
    current: LiveSamlProvider | None = None
    if stack is not None and owned:
        item.arn, current = owned, by_arn.get(owned)
        if current is None:
            item.problems.append("missing")
            item.details.append(
                f"the stack's provider {owned} no longer exists in the account (deleted outside "
                f"CloudFormation): sign-in through it fails until it exists again"
            )
    elif expected and expected in by_arn:
        item.arn, current = expected, by_arn[expected]
        item.problems.append("exists-outside-stack")
        item.details.append(
            f"the account already has {expected}, not created by this stack: deploying would fail "
            f"(EntityAlreadyExists). Import it instead: in the config, `existing_name: {name}` on "
            f"provider {_config_id(logical_id)}, or choose another name"
        )
    else:
        item.problems.append("missing")
        item.details.append(
            "the account has no SAML provider "
            + (f"named {name}" if name else f"for {logical_id}")
            + (
                " (the stack would create it)"
                if stack is None
                else f": the deployed stack has no resource {logical_id}; deploy the current template"
            )
        )
    if current is not None:
        _compare_metadata(item, document, current, now)
    _order(item)
    return item


def _compare_metadata(item: Item, document: Any, current: LiveSamlProvider, now: datetime) -> None:
    live_certificates, problem = _certificates(current.metadata)
    item.facts["valid_until"] = current.valid_until.isoformat() if current.valid_until else None
    item.facts["certificates"] = [_describe(c, now) for c in live_certificates]
    if problem:
        item.problems.append("metadata-differs")
        item.details.append(f"the live metadata cannot be read: {problem}")
        return
    if isinstance(document, str) and not contains_marker(document):
        synthesized, own_problem = _certificates(document)
        if own_problem is None:
            ours, theirs = {c.sha256 for c in synthesized}, {c.sha256 for c in live_certificates}
            if ours != theirs:
                item.problems.append("metadata-differs")
                lost = [c for c in synthesized if c.sha256 not in theirs]
                extra = [c for c in live_certificates if c.sha256 not in ours]
                item.details.append(
                    "the live metadata's signing certificates differ from the synthesized ones: "
                    + "; ".join(
                        [f"- {c.subject} sha256 {c.sha256[:16]}..." for c in lost]
                        + [f"+ {c.subject} sha256 {c.sha256[:16]}..." for c in extra]
                    )
                )
    valid_until = current.valid_until
    if valid_until is not None and valid_until.tzinfo is None:
        valid_until = valid_until.replace(tzinfo=UTC)
    latest = max((c.not_after for c in live_certificates), default=None)
    if (latest is not None and latest <= now) or (valid_until is not None and valid_until <= now):
        item.problems.append("expired")
        when = (
            f"the latest signing certificate expired on {latest:%Y-%m-%d}"
            if latest is not None and latest <= now
            else f"the provider's ValidUntil ({valid_until:%Y-%m-%d}) has passed"
        )
        item.details.append(
            f"{when}: IAM refuses every assertion; upload current metadata from the IdP "
            f"(update the metadata file and deploy)"
        )
    elif latest is not None and latest - now < timedelta(days=EXPIRY_WARNING_DAYS):
        days = (latest - now) // timedelta(days=1)
        item.warnings.append("expiring")
        item.details.append(
            f"the latest signing certificate expires in {days} day(s) ({latest:%Y-%m-%d}): "
            f"get the IdP's next certificate into the metadata before then"
        )
    elif latest is not None:
        item.details.append(
            f"signing certificate valid until {latest:%Y-%m-%d} ({(latest - now) // timedelta(days=1)} days left)"
        )


# --- providers a template only references ---------------------------------------------------------


def check_imported(arn: str, *, live: LiveAccount, used_by: list[str]) -> Item:
    """A provider a trust names by ARN (the config's `existing: true` / `existing_arn`): it must exist."""
    match = _PROVIDER_ARN.match(arn)
    kind = f"{match.group(2)}-provider" if match else "oidc-provider"
    name = match.group(3) if match else arn
    item = Item(kind=kind, logical_id=None, name=name, arn=arn, imported=True)
    arns = {p.arn for p in (live.oidc_providers() if kind == "oidc-provider" else live.saml_providers())}
    if arn not in arns:
        item.problems.append("missing")
        item.details.append(
            f"the template imports {arn} (trusted by {', '.join(used_by)}) but the account has no "
            f"such provider: create it, or let the stack create it (drop `existing`)"
        )
    else:
        item.details.append(f"imported; trusted by {', '.join(used_by)}")
    return item
