"""IAM role names, paths and policy ARNs: IAM's rules for them, and the default role naming scheme.

A role that a SAML IdP, a CI workflow or an app refers to must have a name known before the first
deploy: CloudFormation's generated names change whenever the role is replaced. The scheme
`default_role_name(deployment, role)` gives every role of a deployment such a name:

- ``<deployment>-<role>`` when it fits IAM's 64 characters, e.g. ``acme-federation-WebAppDeploy``;
- otherwise the first characters of that, a hyphen and the first 8 hex digits of the SHA-256 of
  the full ``<deployment>-<role>`` text, 64 characters in all (less the path's length, under a path
  other than ``/``).

The scheme is part of the package's contract (a test pins it): changing it would rename, and so
replace, every role deployed with it.

Plain Python: no CDK is imported, so the config loader and the constructs share the same rules.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "MAX_ROLE_NAME_LENGTH",
    "MAX_ROLE_PATH_LENGTH",
    "POLICY_ARN_ACCEPTED",
    "POLICY_ARN_RE",
    "ROLE_NAME_ACCEPTED",
    "ROLE_PATH_ACCEPTED",
    "default_role_name",
    "role_name_problem",
    "role_path_problem",
]

#: IAM's limit on a role name; with a path other than `/`, on path and name together (the console's
#: Switch Role feature refuses a longer combination, so the toolkit refuses it everywhere)
MAX_ROLE_NAME_LENGTH = 64
#: IAM's limit on a path
MAX_ROLE_PATH_LENGTH = 512

_NAME_RE = re.compile(r"[A-Za-z0-9+=,.@_-]+")
# IAM API: "/" or "/" + printable ASCII other than space + "/"
_PATH_RE = re.compile(r"/|/[\x21-\x7e]+/")

#: IAM managed policy ARNs: AWS managed (`arn:aws:iam::aws:policy/...`) or an account's
#: (`arn:aws:iam::123456789012:policy/...`), any partition, an optional path before the name
POLICY_ARN_RE = re.compile(r"arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy/([\x21-\x7e]*/)?[\w+=,.@-]{1,128}", re.ASCII)
POLICY_ARN_ACCEPTED = (
    "a managed policy ARN such as 'arn:aws:iam::111122223333:policy/ci-boundary' or "
    "'arn:aws:iam::aws:policy/ReadOnlyAccess' (a path may stand before the name)"
)

ROLE_NAME_ACCEPTED = (
    f"an IAM role name: 1-{MAX_ROLE_NAME_LENGTH} letters, digits and + = , . @ _ - "
    f"(with a path other than '/', path and name together at most {MAX_ROLE_NAME_LENGTH} characters)"
)
ROLE_PATH_ACCEPTED = (
    "an IAM path: '/' or text that starts and ends with '/', printable ASCII without spaces, "
    f"at most {MAX_ROLE_PATH_LENGTH} characters, e.g. '/federation/'"
)


def role_path_problem(path: str) -> str | None:
    """Why `path` is not an IAM role path, or None."""
    if len(path) > MAX_ROLE_PATH_LENGTH or not _PATH_RE.fullmatch(path) or "//" in path:
        return ROLE_PATH_ACCEPTED
    return None


def role_name_problem(name: str, path: str | None = None) -> str | None:
    """Why `name` (under `path`) is not an IAM role name, or None."""
    if not _NAME_RE.fullmatch(name) or len(name) > MAX_ROLE_NAME_LENGTH:
        return ROLE_NAME_ACCEPTED
    if path not in (None, "/") and len(path) + len(name) > MAX_ROLE_NAME_LENGTH:
        return f"{ROLE_NAME_ACCEPTED}; path {path!r} and name {name!r} are {len(path) + len(name)} characters together"
    return None


def default_role_name(deployment: str, role: str, *, path: str | None = None) -> str:
    """The role name the scheme gives role `role` of deployment `deployment` (see the module's doc);
    under a `path` other than `/`, short enough that path and name fit 64 characters together.

    Characters IAM does not allow in a name are replaced by `-`."""
    limit = MAX_ROLE_NAME_LENGTH - (len(path) if path not in (None, "/") else 0)
    full = re.sub(r"[^A-Za-z0-9+=,.@_-]", "-", f"{deployment}-{role}")
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    return f"{full[: max(limit - 9, 1)]}-{digest}"
