"""FED51: policy variables (`${cognito-identity.amazonaws.com:sub}`, `${aws:PrincipalTag/...}`) in a
policy document without `"Version": "2012-10-17"`. Older policy language versions (the default when
Version is missing is 2008-10-17) do not substitute variables: the text is compared literally, so the
per-user statement matches no real object or request.

Source: IAM, "IAM policy elements: Variables and tags": "If you don't include the Version element and set
it to an appropriate version date, variables like ${aws:username} are treated as literal strings in the
policy" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from federation_constructs.policy.document import as_list, statements
from federation_constructs.policy.s3 import POLICY_TYPES, user_variables
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def raw_documents(context: ResourceContext) -> Iterator[tuple[str, Any]]:
    props = context.properties
    if context.type == "AWS::IAM::Role":
        yield "AssumeRolePolicyDocument", props.get("AssumeRolePolicyDocument")
        for policy in as_list(props.get("Policies")):
            if isinstance(policy, dict):
                yield f"Policies[{policy.get('PolicyName')}]", policy.get("PolicyDocument")
    elif "PolicyDocument" in props:
        yield "PolicyDocument", props.get("PolicyDocument")


def check(context: ResourceContext) -> Iterator[Hit]:
    for where, document in raw_documents(context):
        if not isinstance(document, dict):
            continue
        version = context.index.flatten(document.get("Version", ""))
        if version == "2012-10-17":
            continue
        for statement in statements(document, context.index.parameters):
            texts = [
                *statement.resources,
                *statement.not_resources,
                *(v for c in statement.conditions for v in c.values),
            ]
            variables = sorted({v for text in texts for v in user_variables(text)})
            if variables:
                shown = version or "missing (2008-10-17)"
                yield Hit(
                    f"{where}::Version",
                    f"{where} uses ${{{variables[0]}}} but its Version is {shown}: the variable is compared as literal "
                    f"text, so the statement never matches what it was written for",
                )
                break


RULE = Rule(
    id="FED51",
    level="error",
    title="Policy variables in a document without Version 2012-10-17 (compared as literal text)",
    fix='Set "Version": "2012-10-17" at the top of the policy document',
    resource_types=POLICY_TYPES,
    check=check,
)
