"""The names an issuer writes into its subjects, and the values that can never be one of them.

A trust whose subject names a branch, project or service account that cannot exist is dead: it
synthesizes and deploys, and then no token ever matches it (and it fails, silently, at 2 a.m. in a
pipeline). The typed roles (`GitHubActionsRole`, `GitLabCiRole`, `HcpTerraformRole`,
`EksServiceAccountRole`) check every name they put into a subject with the functions here: each
returns None for a name the issuer can issue, else the reason it cannot, for the refusal message.

Every rule cites the issuer's own documentation next to it. Where the documentation is silent the
value is accepted, and the comment says so: a refusal must never block a name that can exist.

`*` and `?` are the toolkit's wildcards (they make a `StringLike` pattern) wherever a field takes
wildcards; the checks here read them as "some characters of the name", never as characters of it.
Whether a wildcard needs an opt-in is the roles' business, not this module's.

Plain Python (no CDK), like `issuers`, so the rules and `federation-lint` can use it too.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "GITHUB_ENVIRONMENT_MAX",
    "GITHUB_REPO_MAX",
    "GITLAB_SEGMENT_MAX",
    "HCP_PROJECT_MAX",
    "HCP_WORKSPACE_MAX",
    "K8S_LABEL_MAX",
    "K8S_SUBDOMAIN_MAX",
    "RefKind",
    "full_ref",
    "git_ref_problem",
    "github_environment_problem",
    "github_repository_problem",
    "gitlab_path_problem",
    "hcp_organization_problem",
    "hcp_project_problem",
    "hcp_workspace_problem",
    "k8s_label_problem",
    "k8s_subdomain_problem",
    "separator_problem",
]

RefKind = Literal["branch", "tag"]

_WILD = "*?"


def _shown(char: str) -> str:
    """A character as a message shows it: printable ones quoted, others by code point."""
    if char == " ":
        return "a space"
    return repr(char) if char.isprintable() else f"U+{ord(char):04X}"


def separator_problem(value: str, subject_form: str) -> str | None:
    """The reason a name holding `:` cannot be part of a subject of `subject_form`, or None.

    Every typed issuer's `sub` is a `:`-separated list of fields (GitHub, GitLab, HCP Terraform,
    EKS); a `:` inside one name shifts every later field, so the subject never matches a token.
    """
    if ":" not in value:
        return None
    return f"':' separates the fields of the subject ({subject_form}); a name cannot hold it"


# --- git refs (GitHub branches and tags, GitLab refs) -----------------------------------------
#
# git check-ref-format, https://git-scm.com/docs/git-check-ref-format ("Git imposes the following
# rules on how references are named"):
#   1. no slash-separated component begins with '.' or ends with '.lock';
#   3. no '..' anywhere;
#   4. no ASCII control character (< 0x20, 0x7f), space, '~', '^' or ':' anywhere;
#   5. no '?', '*' or '[' anywhere ('*' and '?' are the toolkit's wildcards here, see above);
#   6. does not begin or end with '/', no consecutive slashes;
#   7. does not end with '.';
#   8. no '@{';
#   9. is not the single character '@';
#  10. no '\'.
# Not on that page but enforced by git itself: a branch or a tag name does not begin with '-'
# (git's refs.c `strbuf_check_branch_ref` and `check_tag_ref` return -1 for `name[0] == '-'`;
# libgit2 mirrors it, `git_branch_name_is_valid("-dash")` and `git_tag_name_is_valid("-dash")` are
# false). Length: documentation silent (git sets none; a file system's own limit applies to loose
# refs only), so any length is accepted.
_GIT_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f~^:\[\\]")


def full_ref(value: str) -> tuple[str, str] | None:
    """(`heads`, `tags` or another namespace, the rest) when `value` is a full ref (`refs/...`)."""
    if not value.startswith("refs/"):
        return None
    namespace, _, rest = value.removeprefix("refs/").partition("/")
    return namespace, rest


def git_ref_problem(name: str, kind: RefKind) -> str | None:
    """Why git can never have a `kind` (branch or tag) called `name`, or None when it can."""
    if not name:
        return "an empty name"
    if ":" in name:
        return "git forbids ':' in ref names (and ':' separates the fields of the subject)"
    bad = _GIT_FORBIDDEN_CHARS.search(name)
    if bad:
        return f"git forbids {_shown(bad.group())} in ref names"
    if ".." in name:
        return "git forbids '..' in ref names"
    if "@{" in name:
        return "git forbids '@{' in ref names"
    if name == "@":
        return "git forbids the name '@'"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "git forbids an empty path component ('/' at the start or the end, or '//')"
    for component in name.split("/"):
        if component.startswith("."):
            return f"git forbids a path component that starts with '.' ({component!r})"
        if component.endswith(".lock"):
            return f"git forbids a path component that ends with '.lock' ({component!r})"
    if name.endswith("."):
        return "git forbids a ref name that ends with '.'"
    if name.startswith("-"):
        return f"git refuses a {kind} name that starts with '-'"
    return None


# --- GitHub ---------------------------------------------------------------------------------
#
# Owners (user and organization accounts): 1-39 characters, letters, digits and hyphens, not
# starting with a hyphen: https://docs.github.com/en/enterprise-cloud@latest/admin/managing-iam/
# iam-configuration-reference/username-considerations-for-external-authentication ("Usernames must
# not exceed 39 characters", "can only contain alphanumeric characters and dashes"). The same page
# says new usernames cannot end with a dash or hold two in a row, but older accounts do: accepted.
# (The check itself is `github._OWNER_RE`.)
#
# Repository names: 1-100 characters of ASCII letters, digits, '.', '-' and '_'; GitHub removes a
# '.git' suffix when it creates the repository and refuses a '.wiki' suffix:
# https://docs.github.com/en/repositories/creating-and-managing-repositories/repository-limits
# (section "Repository name", github/docs#44805; reported in github/docs#44518). '.' and '..' as a
# name: documentation silent, but they are the path segments "this" and "parent" of
# github.com/OWNER/REPO, so no repository can be addressed by them: refused.
_GITHUB_REPO_CHARS = re.compile(r"[A-Za-z0-9._*?-]+")
GITHUB_REPO_MAX = 100

#: GitHub: "An environment name may not exceed 255 characters":
#: https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments
#: Characters: documentation silent (a ':' is written %3A in the subject, see
#: `github.GitHubActionsRole`), so any character is accepted.
GITHUB_ENVIRONMENT_MAX = 255


def github_repository_problem(name: str) -> str | None:
    """Why no GitHub repository can be called `name` (wildcards allowed), or None."""
    if not name:
        return "an empty repository name"
    colon = separator_problem(name, "repo:OWNER/REPO:...")
    if colon:
        return colon
    if not _GITHUB_REPO_CHARS.fullmatch(name):
        bad = next(c for c in name if not _GITHUB_REPO_CHARS.fullmatch(c))
        return f"GitHub repository names hold only ASCII letters, digits, '.', '-' and '_', not {_shown(bad)}"
    if len(name) > GITHUB_REPO_MAX:
        return f"GitHub repository names have at most {GITHUB_REPO_MAX} characters; this one has {len(name)}"
    if name in (".", ".."):
        return f"{name!r} is a path segment ('this' or 'parent' folder), not a repository name"
    if name.endswith(".git"):
        return "GitHub removes a '.git' suffix when it creates a repository, so no repository name ends with it"
    if name.endswith(".wiki"):
        return "GitHub refuses repository names that end with '.wiki' (the suffix of a repository's wiki)"
    return None


def github_environment_problem(name: str) -> str | None:
    """Why no GitHub environment can be called `name`, or None."""
    if not name:
        return "an empty environment name"
    if len(name) > GITHUB_ENVIRONMENT_MAX:
        return f"GitHub environment names have at most {GITHUB_ENVIRONMENT_MAX} characters; this one has {len(name)}"
    return None


# --- GitLab ---------------------------------------------------------------------------------
#
# Group, subgroup and project paths ("slugs"): letters, digits, '_', '-' and '.'; not starting with
# '-'; not ending in '.git' or '.atom': https://docs.gitlab.com/user/reserved_names/ ("Rules for
# usernames, project and group names, and slugs"), and GitLab's own validation message "Path can
# contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in
# '.atom'". The same page asks new slugs to start and end with a letter or digit and to hold no two
# special characters in a row, but older paths break those rules and still exist: accepted.
# Length: documentation silent; GitLab's issue tracker states the 255-character limit of paths
# ("we limit project paths to 255 characters", gitlab-org/gitlab#197976): applied per segment.
# Empty segments ('a//b', a leading or trailing '/') and the segments '.' and '..' name no group
# or project (they are URL path syntax, and a slug starts with a letter, digit, '_' or '.').
_GITLAB_SEGMENT_CHARS = re.compile(r"[A-Za-z0-9_.*?-]+")
GITLAB_SEGMENT_MAX = 255


def gitlab_path_problem(path: str) -> str | None:
    """Why no GitLab group or project has the path `path` (`GROUP/[SUBGROUP/]PROJECT`, wildcards
    allowed), or None. The number of segments is the caller's business."""
    colon = separator_problem(path, "project_path:GROUP/PROJECT:ref_type:...")
    if colon:
        return colon
    segments = path.split("/")
    if any(not s for s in segments):
        return "an empty path segment ('/' at the start or the end, or '//')"
    for segment in segments:
        if segment in (".", ".."):
            return f"the path segment {segment!r} (a folder reference, not a group or project)"
        if not _GITLAB_SEGMENT_CHARS.fullmatch(segment):
            bad = next(c for c in segment if not _GITLAB_SEGMENT_CHARS.fullmatch(c))
            return f"GitLab paths hold only letters, digits, '_', '-' and '.', not {_shown(bad)} ({segment!r})"
        if segment.startswith("-"):
            return f"GitLab paths cannot start with '-' ({segment!r})"
        if segment.endswith((".git", ".atom")):
            return f"GitLab paths cannot end in '.git' or '.atom' ({segment!r})"
        if len(segment) > GITLAB_SEGMENT_MAX:
            return f"GitLab path segments have at most {GITLAB_SEGMENT_MAX} characters; {segment[:20]!r}... has {len(segment)}"
    return None


# --- HCP Terraform --------------------------------------------------------------------------
#
# Workspace names: "can only include letters, numbers, -, and _":
# https://developer.hashicorp.com/terraform/cloud-docs/api-docs/workspaces (data.attributes.name).
# Length: HCP Terraform raised the limit from 90 to 260 characters (hashicorp/terraform-docs-common
# #441, "We have increased the limit of characters for a workspace name. From 90 to 260"): at most 260.
_HCP_WORKSPACE_CHARS = re.compile(r"[A-Za-z0-9_*?-]+")
HCP_WORKSPACE_MAX = 260

# Project names: "can contain letters, numbers, spaces, -, and _, but cannot start or end with
# spaces. It must be at least three characters long and no more than 40 characters long":
# https://developer.hashicorp.com/terraform/cloud-docs/api-docs/projects (data.attributes.name).
_HCP_PROJECT_CHARS = re.compile(r"[A-Za-z0-9 _*?-]+")
HCP_PROJECT_MIN = 3
HCP_PROJECT_MAX = 40

# Organization names: documentation silent (neither the organizations API nor the organizations page
# of HCP Terraform states the characters or a length), so only what breaks the subject is refused:
# ':', and an empty name. The toolkit's earlier bound (letters, digits, '_', '.', '-', spaces, at most
# 90 characters) stays, as it admits every organization name the documentation shows.
_HCP_ORGANIZATION_CHARS = re.compile(r"[A-Za-z0-9_. *?-]{1,90}")


def hcp_workspace_problem(name: str) -> str | None:
    """Why no HCP Terraform workspace can be called `name` (wildcards allowed), or None."""
    if not name:
        return "an empty workspace name"
    colon = separator_problem(name, "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:...")
    if colon:
        return colon
    if not _HCP_WORKSPACE_CHARS.fullmatch(name):
        bad = next(c for c in name if not _HCP_WORKSPACE_CHARS.fullmatch(c))
        return f"HCP Terraform allows only letters, numbers, '-' and '_' in them, not {_shown(bad)}"
    if len(name) > HCP_WORKSPACE_MAX:
        return f"HCP Terraform allows at most {HCP_WORKSPACE_MAX} characters; this one has {len(name)}"
    return None


def hcp_project_problem(name: str) -> str | None:
    """Why no HCP Terraform project can be called `name` (wildcards allowed), or None."""
    if not name:
        return "an empty project name"
    colon = separator_problem(name, "organization:ORG:project:PROJECT:workspace:...")
    if colon:
        return colon
    if not _HCP_PROJECT_CHARS.fullmatch(name):
        bad = next(c for c in name if not _HCP_PROJECT_CHARS.fullmatch(c))
        return f"HCP Terraform allows only letters, numbers, spaces, '-' and '_' in them, not {_shown(bad)}"
    if name != name.strip(" "):
        return "HCP Terraform refuses names that start or end with a space"
    literal = not any(c in _WILD for c in name)
    if literal and not HCP_PROJECT_MIN <= len(name) <= HCP_PROJECT_MAX:
        return f"HCP Terraform allows {HCP_PROJECT_MIN} to {HCP_PROJECT_MAX} characters; this one has {len(name)}"
    return None


def hcp_organization_problem(name: str) -> str | None:
    """Why `name` cannot be the organization in an HCP Terraform subject (wildcards allowed), or None."""
    if not name:
        return "an empty organization name"
    colon = separator_problem(name, "organization:ORG:project:...")
    if colon:
        return colon
    if not _HCP_ORGANIZATION_CHARS.fullmatch(name):
        return "organization names here hold letters, digits, '_', '.', '-' and spaces (1-90 characters)"
    return None


# --- Kubernetes (EKS service accounts) ------------------------------------------------------
#
# Namespaces: "all namespace names must be valid RFC 1123 DNS labels":
# https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#namespaces-and-dns;
# a label is at most 63 characters of lower-case letters, digits and '-', starting and ending with a
# letter or digit: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
K8S_LABEL_MAX = 63
_K8S_LABEL_RE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")

# Service accounts: "The name of a ServiceAccount object must be a valid DNS subdomain name":
# https://kubernetes.io/docs/concepts/security/service-accounts/ and
# https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/; a subdomain
# name is at most 253 characters of lower-case letters, digits, '-' and '.', starting and ending with
# a letter or digit: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
K8S_SUBDOMAIN_MAX = 253
_K8S_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")
_K8S_SUBDOMAIN_PATTERN_RE = re.compile(r"[a-z0-9.*?-]+")


def _k8s_charset_problem(name: str, kind: str, allowed: str, pattern: re.Pattern[str]) -> str:
    bad = next((c for c in name if not pattern.fullmatch(c)), None)
    if bad is not None:
        lower = name.lower()
        hint = f"; did you mean {lower!r}?" if bad.isupper() and all(pattern.fullmatch(c) for c in lower) else ""
        return f"{kind} holds only {allowed}, not {_shown(bad)}{hint}"
    return f"{kind} starts and ends with a lower-case letter or a digit"


def k8s_label_problem(name: str) -> str | None:
    """Why `name` is not an RFC 1123 label (a Kubernetes namespace), or None."""
    if not name:
        return "an empty name"
    colon = separator_problem(name, "system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT")
    if colon:
        return colon
    if len(name) > K8S_LABEL_MAX:
        return f"an RFC 1123 label has at most {K8S_LABEL_MAX} characters; this one has {len(name)}"
    if not _K8S_LABEL_RE.fullmatch(name):
        return _k8s_charset_problem(
            name, "an RFC 1123 label", "lower-case letters, digits and '-'", re.compile(r"[a-z0-9-]")
        )
    return None


def k8s_subdomain_problem(name: str) -> str | None:
    """Why `name` is not an RFC 1123 subdomain name (a service account; wildcards allowed), or None."""
    if not name:
        return "an empty name"
    colon = separator_problem(name, "system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT")
    if colon:
        return colon
    if len(name) > K8S_SUBDOMAIN_MAX:
        return f"an RFC 1123 subdomain name has at most {K8S_SUBDOMAIN_MAX} characters; this one has {len(name)}"
    wild = any(c in _WILD for c in name)
    if not (_K8S_SUBDOMAIN_PATTERN_RE if wild else _K8S_SUBDOMAIN_RE).fullmatch(name):
        return _k8s_charset_problem(
            name, "an RFC 1123 subdomain name", "lower-case letters, digits, '-' and '.'", re.compile(r"[a-z0-9.*?-]")
        )
    return None
