"""FED34: a per-user variable of web identity or SAML (`${cognito-identity.amazonaws.com:sub}`,
`${saml:sub}`, `${accounts.google.com:sub}`, ...) in an S3 *bucket* policy. AWS documents these
variables in identity policies (its own per-user examples are identity policies on the role) and
shows resource-policy examples only with global keys; that they resolve in a bucket policy is not
stated anywhere (FACTS.md). IAM only says that a variable it cannot resolve "might cause the entire
statement to be invalid". Whether such a statement grants, fences or locks out is then undocumented
behaviour: a warning, naming the documented forms (the identity policy on the role; in a resource
policy, global keys such as `aws:PrincipalTag/KEY`).

A Deny whose variables sit only in `NotResource` ("everything outside your own folder"), aimed
(`aws:PrincipalArn`) at roles of this template whose own identity policies key the same folders with
the same variables, is reported with its own wording: there the documented identity policy is the
fence and the bucket policy a second one, so however the variable behaves no user reaches another
user's folder; but if only the variable's entry fails to match, the Deny also covers the user's own
folder (an outage, not a leak). A reviewer decides from that, so it is said, not hidden.
Sources: IAM policy variables (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html);
IAM, "Amazon S3: Allows Amazon Cognito users to access objects in their bucket", an identity-based policy
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_s3_cognito-bucket.html);
IAM global condition keys, aws:PrincipalTag
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag).
"""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import Statement
from federation_constructs.policy.permissions import own_documents, role_permissions
from federation_constructs.policy.s3 import user_variables
from federation_constructs.policy.template import COGNITO, WEB_IDENTITY_NAMES, TemplateIndex
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_TARGETING = ("arnequals", "arnlike", "stringequals", "stringlike")


def federated_variable(variable: str) -> bool:
    """A variable from a SAML assertion or a web identity token (not a global `aws:` key, not a
    service key such as `s3:prefix`)."""
    prefix = variable.split(",", 1)[0].strip().lower().rpartition(":")[0]
    return prefix == "saml" or prefix == COGNITO or prefix in WEB_IDENTITY_NAMES or "." in prefix


def _variables(texts: list[str]) -> set[str]:
    return {v.split(",", 1)[0].strip() for t in texts for v in user_variables(t) if federated_variable(v)}


def _target_roles(index: TemplateIndex, statement: Statement) -> list[str | None]:
    """The roles a statement is aimed at, by `aws:PrincipalArn` or its `AWS` principal (None for a
    value that is not a role of this template)."""
    values = [v for c in statement.conditions_on("aws:PrincipalArn") if c.base in _TARGETING for v in c.values]
    values += [v for v in statement.principal_values("aws") if v != "*"]
    targets = [index.target(v) for v in values]
    return [t if t and index.type_of(t) == "AWS::IAM::Role" else None for t in targets]


def second_fence(index: TemplateIndex, statement: Statement, variables: set[str]) -> bool:
    """A Deny of everything outside the user's folder, behind the same folder in the identity policy
    of every role it is aimed at."""
    in_not_resource = _variables(list(statement.not_resources))
    elsewhere = _variables([*statement.resources, *(v for c in statement.conditions for v in c.values)])
    if statement.effect != "Deny" or elsewhere or in_not_resource != variables:
        return False
    roles = _target_roles(index, statement)
    if not roles or None in roles:
        return False
    for role in roles:
        granted = {
            v.split(",", 1)[0].strip()
            for _, s in role_permissions(index, str(role)).allow_statements()
            for r in s.resources
            for v in user_variables(r)
        }
        if not variables <= granted:
            return False
    return True


def check(context: ResourceContext) -> Iterator[Hit]:
    for document in own_documents(context):
        for statement in document.statements:
            texts = [
                *statement.resources,
                *statement.not_resources,
                *(v for c in statement.conditions for v in c.values),
            ]
            variables = _variables(texts)
            if not variables:
                continue
            fence = second_fence(context.index, statement, variables)
            for variable in sorted(variables):
                where = f"${{{variable}}} in bucket policy {statement.effect} Statement{statement.index}"
                # named by its Sid where it has one: an acknowledgement stays on the statement it was given for
                yield Hit(
                    f"{statement.sid or f'Statement{statement.index}'}::{variable}",
                    f"{where}: a second fence behind the role's identity policy, which alone keys the user's folder; "
                    f"AWS does not document this variable in bucket policies: if the statement is void there, the "
                    f"identity policy still fences; if only this entry fails to match, the Deny also covers the "
                    f"user's own folder (an outage, not a leak)"
                    if fence
                    else f"{where}: AWS documents this variable in identity policies, not in bucket policies; if it "
                    f"does not resolve there, the statement may be void ({'no grant' if statement.allow else 'no fence'}) "
                    f"or match otherwise than meant",
                )


RULE = Rule(
    id="FED34",
    level="warning",
    title="Web-identity or SAML per-user variable in a bucket policy (resolution there is not documented)",
    fix="Key per-user folders in the role's identity policy (the documented place for these variables); in a bucket "
    "policy use global keys, e.g. ${aws:PrincipalTag/KEY} set by the IdP or identity pool with sts:TagSession "
    "(not ${aws:userid}: its session name is the caller's choice for web identity)",
    resource_types=("AWS::S3::BucketPolicy",),
    check=check,
)
