"""`federation-lint --explain`: what each federated trust of a template admits, in plain words, with
the solver's example request and every claim an admitted request may leave free.

The sentences come from `federation_constructs.proof.verdict`, as in the access report and the access
diff: a dead trust reads the same everywhere. A claim is unbounded when an admitted request can leave
it out (`ForAllValues:`, `...IfExists` and the negated operators are true when the key is absent;
`ForAnyValue:` is false) or carry a value beyond every listed one (a `*` pattern); for a multi-valued
claim (Cognito `amr`), when it can carry none of the listed values, so `ForAnyValue:StringLike amr =
authenticated` is bounded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["explain_template", "explain_text"]


def explain_template(template: dict[str, Any]) -> list[dict[str, Any]]:
    """For each federated role: who it admits in plain words, and what the solver finds: an example
    admitted request, and every claim an admitted request may leave out or fill with any value."""
    from federation_constructs.policy.template import ResourceContext, TemplateIndex
    from federation_constructs.policy.trust import federated_trusts
    from federation_constructs.proof.model import explain
    from federation_constructs.report.access import build_access_report

    index = TemplateIndex(template)
    report = build_access_report(template, stack="", account="<account>")
    explained = []
    for role in report["roles"]:
        logical = role["logical_id"]
        context = ResourceContext(
            logical_id=logical, type="AWS::IAM::Role", properties=index.properties(logical), index=index
        )
        keys: list[str] = []
        for trust in federated_trusts(context):
            facts = trust.facts
            if trust.kind == "oidc" and facts is not None:
                keys += [facts.key(claim) for claim in facts.required_claims]
            elif trust.kind == "saml":
                keys.append("saml:aud")
            elif trust.kind == "cognito":
                keys += ["cognito-identity.amazonaws.com:aud", "cognito-identity.amazonaws.com:amr"]
        result = explain(context.properties.get("AssumeRolePolicyDocument"), index.parameters, keys)
        explained.append(
            {
                "resource": logical,
                "admits": [who for door in role["doors"] for who in door["who"]],
                "admits_anything": result.admits_anything,
                "example": result.example.describe() if result.example else None,
                "unbounded": {key: witness.claims.get(key) for key, witness in sorted(result.unbounded.items())},
                "why": {key: result.why.get(key, "") for key in sorted(result.unbounded)},
            }
        )
    return explained


def explain_text(explanations: Mapping[str, list[dict[str, Any]]]) -> str:
    """The explanations as text, in `federation_constructs.proof.verdict`'s words."""
    from federation_constructs.proof.verdict import DEAD_SENTENCE, explain_key_sentence

    lines = []
    for file, roles in explanations.items():
        lines.append(f"{file}: {len(roles)} federated role(s)")
        for role in roles:
            lines.append(f"  {role['resource']}")
            for who in role["admits"]:
                lines.append(f"    admits: {who}")
            if not role["admits_anything"]:
                lines.append(f"    solver: {DEAD_SENTENCE}")
                continue
            why = role.get("why") or {}
            for key, value in role["unbounded"].items():
                lines.append(
                    "    " + explain_key_sentence(key, value, why.get(key) or "the solver found such a request")
                )
            if not role["unbounded"]:
                lines.append("    solver: every claim it checks is bounded to the listed values or patterns")
            lines.append(f"    example admitted request: {role['example']}")
    return "\n".join(lines) + "\n"
