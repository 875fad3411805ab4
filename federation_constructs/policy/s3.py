"""Helpers the per-user S3 rules share: which policies hold per-user statements."""

from __future__ import annotations

import re

from federation_constructs.policy.document import Statement
from federation_constructs.policy.permissions import PolicyDocument, own_documents
from federation_constructs.policy.template import ResourceContext

#: a policy variable, e.g. ${cognito-identity.amazonaws.com:sub}; ${*}, ${?} and ${$} are escapes
VARIABLE = re.compile(r"\$\{(?![*?$]\})([^}]+)\}")
OBJECT_ACTION_PREFIXES = (
    "s3:getobject",
    "s3:putobject",
    "s3:deleteobject",
    "s3:abortmultipartupload",
    "s3:restoreobject",
    "s3:*",
    "*",
)
POLICY_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
    "AWS::S3::BucketPolicy",
)


#: one policy document, where it is written (`Policies[Name]` or `PolicyDocument`) and its statements
Document = PolicyDocument


def documents(context: ResourceContext) -> list[PolicyDocument]:
    """The identity (or bucket) policy documents a resource holds itself."""
    return own_documents(context)


def is_s3_object_statement(statement: Statement) -> bool:
    return any(a.lower().startswith(OBJECT_ACTION_PREFIXES) for a in statement.actions)


def user_variables(text: str) -> list[str]:
    return [m.group(1).strip() for m in VARIABLE.finditer(text)]


def s3_object_resources(statement: Statement) -> list[str]:
    return [r for r in statement.resources if ":s3:::" in r or r.startswith("<") and "/" in r]


def per_user(document: Document) -> bool:
    """A document with at least one S3 object statement whose resource uses a policy variable."""
    return any(
        is_s3_object_statement(s) and any(user_variables(r) for r in s3_object_resources(s))
        for s in document.statements
    )
