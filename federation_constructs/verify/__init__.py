"""`federation-verify`: compare a live AWS account with what the app synthesizes (boto3, read-only).

    federation-verify [--assembly cdk.out] [--account ID] [--profile NAME]
                      [--region REGION] [--stack-set] [--format text|json] [--output FILE]
    python -m federation_constructs.verify ...

The cloud assembly's stacks (nested Stage assemblies included) bound to the credentials' account, and
the environment-agnostic ones, are compared with the account: the stack (deployed or not), each
`AWS::IAM::OIDCProvider` (url, client ids; near-duplicate issuers), each `AWS::IAM::SAMLProvider`
(signing certificates, expiry of the live ones), providers the template imports by ARN, and each
`AWS::IAM::Role` (trust policy, semantically, with the solver saying whether the live one admits
more; `MaxSessionDuration`). A StackSet's member template is compared with its `StackSet-<name>-*`
instances (`--stack-set`, or automatically when the account has instances but no stack of the
assembly). Every boto3 client refuses any operation that is not a Get*, List* or Describe* call
(`ReadOnlyViolation`).

Exit code: 0 no drift, 1 drift, 2 usage, credentials, assembly or AWS error (one line on stderr).

`--format json` writes one document with these keys (stable; new keys may be added)::

    version        1
    account        the credentials' account id
    assembly       the assembly directory
    drift          true when the exit code is 1
    stacks[]       stack         deployed stack name (`StackSet-<name>-*` when no instance exists)
                   source        the assembly's display name, or "StackSet <name> (declared in <stack>)"
                   kind          "stack" | "stack-set-instance"
                   region        the region compared
                   status        "deployed" | "not-deployed"
                   stack_status  CloudFormation's status (CREATE_COMPLETE, ...) or null
                   drift         bool
                   notes[]       sentences
                   items[]       kind          "oidc-provider" | "saml-provider" | "role"
                                 logical_id    the template's logical id; null for an imported provider
                                 name          issuer (host/path), SAML provider name, or live role name
                                 arn           the live ARN, when known
                                 imported      bool: named by ARN, not created by the template
                                 status        the first problem, else "not-compared", the first warning, or "ok"
                                 drift         bool
                                 problems[]    missing | exists-outside-stack | client-ids-differ |
                                               duplicate-issuer | metadata-differs | expired |
                                               trust-differs | session-differs
                                 warnings[]    expiring | cannot-compare
                                 details[]     sentences: what differs and what to do
                                 diff[]        roles: {"statement": label, "lines": ["- ...", "+ ..."]}
                                 facts         client_ids {synthesized, live}, near_duplicates[],
                                               certificates[] {subject, sha256, not_after, days_left},
                                               valid_until, trust ("same" | "differs" | "cannot-compare"),
                                               wider / narrower {status "yes"|"no"|"unknown", example},
                                               max_session_duration {synthesized, live}
    summary        stacks, stacks_not_deployed, items, ok, drift, warnings, not_compared, exit_code
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """The `federation-verify` console script; returns the exit code."""
    from federation_constructs.verify.cli import main as run

    return run(argv)
