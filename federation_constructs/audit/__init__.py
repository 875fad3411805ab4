"""`federation-audit`: audit the identity federation of live AWS accounts (boto3, read-only).

    federation-audit [--profile NAME] [--region REGION[,REGION...]] [--account ID]
                     [--role-name NAME (--accounts ID,ID,... | --organization)]
                     [--format text|markdown|json|sarif|html] [--output FILE] [--output-dir DIR]
                     [--no-explain]
    python -m federation_constructs.audit ...

For each account it reads every IAM OIDC and SAML provider, every role whose trust admits a federated
principal (web identity, SAML, Cognito) with its inline, attached and boundary policies, and every
Cognito identity pool of the regions given (roles, role mappings, classic flow, principal tags). The
account is written as one CloudFormation template (`audit.template`) and the FederationChecks rules
(`lint_template`), the solver's explanations and the access report run over it, as over a synthesized
app. Every boto3 client refuses any operation that is not a Get*, List* or Describe* call (plus sts
AssumeRole of the audit role with --role-name).

Exit code: 0 no error-level finding, 1 an error-level finding, 2 credentials/usage/AWS error (one line
on stderr), or an account that could not be audited when nothing else failed.

`--format json` writes one document (stable; new keys may be added)::

    version        1
    accounts[]     account, partition, regions, method ("authorization-details" | "per-role"),
                   roles_listed, federated_roles, oidc_providers, saml_providers, identity_pools,
                   errors, warnings, not_read,
                   findings[]    rule, level, resource (logical id), label (role/<path><name>, ...),
                                 resource_type, finding, detail, fix
                   notes         label -> sentences (what could not be read or used)
                   explanations  role label -> admits[], admits_anything, example, unbounded, why
    unreachable[]  account, reason
    summary        accounts, unreachable, errors, warnings, exit_code
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """The `federation-audit` console script; returns the exit code."""
    from federation_constructs.audit.cli import main as run

    return run(argv)
