"""`GitHubActionsRole`: GitHub Actions workflows of named repositories, refs and environments.

Values no GitHub token can ever carry are refused at construction, with the fix in the message
(the rules and their sources: `federation_constructs.oidc.names`):

- a full ref where a name is expected (`branches=["refs/heads/main"]` would be matched as
  `ref:refs/heads/refs/heads/main`): refused with "did you mean 'main'?", not rewritten. A branch
  can, in theory, be called `refs/heads/main`, so a silent rewrite could change what a working
  trust admits; the refusal is explicit and its fix is one edit;
- branch and tag names git forbids (`git check-ref-format`: `..`, `~^:[` and the backslash,
  control characters, spaces, a leading `-`, a trailing `.lock` or `/`, `//`, `@{`), `*` and `?`
  being the toolkit's wildcards;
- owner and repository names GitHub does not allow (characters, 39 and 100 characters, `.wiki`,
  `.`/`..`), environment names over 255 characters.

Two values are unambiguous and are normalised, with a warning on the construct that says so:

- a `:` in an environment name is written `%3A`, as GitHub writes it into the subject
  (`environments=["prod:eu"]` -> `environment:prod%3Aeu`);
- a `.git` suffix on a repository name is dropped, as GitHub drops it when it creates the
  repository (`acme/app.git` -> `acme/app`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from aws_cdk import Annotations
from aws_cdk import aws_iam as iam
from constructs import Construct

from federation_constructs.errors import PresetValueError, checked_bool, checked_list, checked_mapping, invalid
from federation_constructs.federated_role import FederatedRole, RoleOptions
from federation_constructs.oidc.conditions import has_wildcard, is_only_wildcards
from federation_constructs.oidc.issuers import OidcIssuer
from federation_constructs.oidc.names import (
    RefKind,
    full_ref,
    git_ref_problem,
    github_environment_problem,
    github_repository_problem,
    separator_problem,
)
from federation_constructs.oidc.provider import OidcProvider
from federation_constructs.oidc.role import OidcRole, preset_issuer
from federation_constructs.proof.intent import github_subjects

__all__ = ["IMMUTABLE_ID_SEPARATOR", "GitHubActionsRole", "GitHubRepository", "SubjectFormat"]

#: Between a name and its immutable id in GitHub's immutable subject claims
#: (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`).
IMMUTABLE_ID_SEPARATOR = "@"

SubjectFormat = Literal["name", "immutable", "both"]

#: The branch a role admits when no branch, tag, environment or pull request is named.
DEFAULT_BRANCH = "main"

# GitHub account names: 1-39 letters, digits and hyphens, not starting with a hyphen (source and the
# rules accepted on purpose: `federation_constructs.oidc.names`, "Owners").
_OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_WORKFLOW_REF_RE = re.compile(r"[^/\s]+/[^/\s]+/\.github/workflows/[^@\s]+\.ya?ml@\S+")


@dataclass(frozen=True, kw_only=True)
class GitHubRepository:
    """A repository, optionally with the immutable ids that GitHub can put into the subject.

    With `owner_id` and `repository_id`, subjects take GitHub's immutable form
    (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`): a renamed, transferred or deleted-and-recreated
    repository (name squatting) no longer matches. `subject_format` says which form the
    repository's tokens use: "name", "immutable", or "both" for a migration window.
    """

    owner: str
    name: str
    owner_id: int | None = None
    repository_id: int | None = None
    subject_format: SubjectFormat | None = None

    @classmethod
    def parse(cls, value: str | GitHubRepository) -> GitHubRepository:
        """`OWNER/REPO` (or a `GitHubRepository`) as a `GitHubRepository`; anything else raises
        `PresetValueError`."""
        if isinstance(value, GitHubRepository):
            return value
        owner, sep, name = value.partition("/") if isinstance(value, str) else ("", "", "")
        if not sep or "/" in name:
            raise PresetValueError(
                "GitHubRepository.parse", "value", value, "'OWNER/REPO', e.g. 'octo-org/app', or a GitHubRepository"
            )
        return cls(owner=owner, name=name)

    @property
    def full_name(self) -> str:
        """`OWNER/REPO`."""
        return f"{self.owner}/{self.name}"

    def effective_format(self) -> SubjectFormat:
        """The subject format in use: as given, else immutable when both ids are known."""
        if self.subject_format is not None:
            return self.subject_format
        return "immutable" if self.owner_id is not None and self.repository_id is not None else "name"

    def subject_prefixes(self) -> list[str]:
        """`repo:OWNER/REPO` and/or `repo:OWNER@ID/REPO@ID`, per the subject format."""
        fmt = self.effective_format()
        named = f"repo:{self.owner}/{self.name}"
        sep = IMMUTABLE_ID_SEPARATOR
        immutable = f"repo:{self.owner}{sep}{self.owner_id}/{self.name}{sep}{self.repository_id}"
        return {"name": [named], "immutable": [immutable], "both": [immutable, named]}[fmt]


class GitHubActionsRole(OidcRole):
    """A role that GitHub Actions jobs of the named repositories can assume, for the named refs only.

    Subjects are exact: `repo:OWNER/REPO:ref:refs/heads/BRANCH`, `...:ref:refs/tags/TAG`,
    `...:environment:ENV` (a job that uses an environment gets this form, not the ref form) and,
    only with `pull_requests=True`, `...:pull_request`. With no branch, tag, environment or pull
    request given, the role admits the `main` branch only. The audience is `sts.amazonaws.com` (what
    aws-actions/configure-aws-credentials requests) unless you say otherwise.

    With immutable ids (`GitHubRepository(owner_id=..., repository_id=...)`) the subjects use
    GitHub's immutable form, which survives renames and defeats name squatting: prefer it.

    Refused without an explicit opt-in: a wildcard in the repository name (`octo-org/*`:
    `allow_repository_wildcards=True`); a branch, tag or environment of only wildcards
    (`allow_any_ref=True`); a wildcard in the owner (`allow_any_subject=True`).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: OidcProvider | iam.IOidcProvider,
        repositories: Sequence[str | GitHubRepository],
        branches: Sequence[str] = (),
        tags: Sequence[str] = (),
        environments: Sequence[str] = (),
        pull_requests: bool = False,
        job_workflow_refs: Sequence[str] = (),
        enterprise_slug: str | None = None,
        audience: str = "sts.amazonaws.com",
        allow_repository_wildcards: bool = False,
        allow_any_ref: bool = False,
        allow_any_subject: bool = False,
        conditions: Mapping[str, str | Sequence[str]] | None = None,
        role_options: RoleOptions | None = None,
    ) -> None:
        """Create the role.

        :param repositories: `OWNER/REPO` names or `GitHubRepository` values (with immutable ids).
        :param branches: branch names; `tags`, `environments` alike. None of them: `main` only.
        :param pull_requests: also admit `pull_request` jobs (code from forks' pull requests can run).
        :param job_workflow_refs: reusable workflows the job must run
            (`OWNER/REPO/.github/workflows/FILE.yml@REF`), tested on the `job_workflow_ref` claim.
        :param enterprise_slug: for a GitHub Enterprise's own issuer.
        :param audience: the audience the workflow requests.
        :param conditions: other claims STS evaluates for GitHub (`repository_id`, `actor`, ...),
            claim name -> value(s), as for `OidcRole`.
        :param role_options: the IAM role's options; default `RoleOptions()`.
        """
        FederatedRole.__init__(self, scope, id, role_options=role_options)
        for name, flag in (
            ("pull_requests", pull_requests),
            ("allow_repository_wildcards", allow_repository_wildcards),
            ("allow_any_ref", allow_any_ref),
            ("allow_any_subject", allow_any_subject),
        ):
            checked_bool(self, name, flag)
        if not isinstance(audience, str):
            raise invalid(self, "audience", audience, "the audience the workflow requests, e.g. 'sts.amazonaws.com'")
        issuer = preset_issuer(self, lambda: OidcIssuer.github_actions(enterprise_slug=enterprise_slug))
        repos = self._repositories(repositories, allow_repository_wildcards, allow_any_subject)
        # defaults applied once, here: the trust and the intent are both written from these
        branches, tags, environments = self._refs(branches, tags, environments, pull_requests, allow_any_ref)
        contexts = self._contexts(branches, tags, environments, pull_requests)
        subjects = [
            f"{prefix}:{context}" for repo in repos for prefix in repo.subject_prefixes() for context in contexts
        ]
        conditions = dict(
            checked_mapping(self, "conditions", conditions, "a dict of claim -> value(s)")
            if conditions is not None
            else {}
        )
        if job_workflow_refs:
            conditions["job_workflow_ref"] = self._workflow_refs(job_workflow_refs)
        opt_ins = [
            name
            for name, used in (
                ("allow_repository_wildcards", allow_repository_wildcards),
                ("allow_any_ref", allow_any_ref),
            )
            if used
        ]
        self.repositories: tuple[GitHubRepository, ...] = tuple(repos)
        declared_repos = [(r.owner, r.name, r.owner_id, r.repository_id, r.effective_format()) for r in repos]
        self._build(
            issuer=issuer,
            provider=provider,
            audiences=[audience],
            subjects=subjects,
            conditions=conditions,
            allow_any_subject=allow_any_subject,
            opt_ins=opt_ins,
            intent_subjects=github_subjects(
                declared_repos,
                branches=branches,
                tags=tags,
                environments=environments,
                pull_requests=pull_requests,
            ),
            declared={
                "repositories": [r.full_name for r in repos],
                "branches": list(branches),
                "tags": list(tags),
                "environments": list(environments),
                "pull_requests": pull_requests,
                "job_workflow_refs": list(job_workflow_refs),
            },
        )

    def _repositories(
        self, repositories: Sequence[str | GitHubRepository], allow_wildcards: bool, allow_any_subject: bool
    ) -> list[GitHubRepository]:
        values = checked_list(self, "repositories", repositories, "'OWNER/REPO' names", non_empty=True)
        parsed = []
        for value in values:
            try:
                repo = GitHubRepository.parse(value)
            except PresetValueError as err:
                raise invalid(self, "repositories", value, err.accepted) from None
            for attr in ("owner", "name"):
                if not isinstance(getattr(repo, attr), str):
                    raise invalid(self, f"repositories.{attr}", getattr(repo, attr), f"the repository {attr}, a string")
            for attr in ("owner_id", "repository_id"):
                number = getattr(repo, attr)
                if number is not None and not isinstance(number, int):  # a bool is refused below
                    raise invalid(
                        self,
                        f"repositories.{attr}",
                        number,
                        f"GitHub's numeric {attr.replace('_', ' ')}, a positive integer (or None)",
                    )
            if not _OWNER_RE.fullmatch(repo.owner) and not (has_wildcard(repo.owner) and allow_any_subject):
                raise invalid(self, "repositories", value, self._owner_refusal(repo.owner))
            repo = self._without_git_suffix(repo)
            problem = github_repository_problem(repo.name)
            if problem:
                raise invalid(
                    self,
                    "repositories",
                    value,
                    f"a repository name of letters, digits, '.', '_' and '-' (1-100 characters): {problem}",
                )
            # a wildcard in the owner (with allow_any_subject) already admits every repository name
            if has_wildcard(repo.name) and not allow_wildcards and not has_wildcard(repo.owner):
                raise invalid(
                    self,
                    "repositories",
                    value,
                    f"an exact repository name: '{repo.name}' admits every matching repository "
                    f"of {repo.owner}, including ones created later "
                    f"(allow_repository_wildcards=True to mean it)",
                )
            fmt = repo.effective_format()
            if fmt in ("immutable", "both") and not (_positive(repo.owner_id) and _positive(repo.repository_id)):
                raise invalid(
                    self,
                    "repositories",
                    value,
                    f"owner_id and repository_id (positive integers) for subject_format={fmt!r}",
                )
            if fmt not in ("name", "immutable", "both"):
                raise invalid(self, "repositories", value, "subject_format 'name', 'immutable' or 'both'")
            parsed.append(repo)
        return parsed

    @staticmethod
    def _owner_refusal(owner: str) -> str:
        """What an owner must be, and why `owner` is not one (it is not a GitHub account name)."""
        if has_wildcard(owner):
            return (
                "a literal owner: a wildcard in the owner admits repositories of other owners "
                "anywhere on GitHub (allow_any_subject=True to mean it)"
            )
        accepted = "an owner of letters, digits and hyphens (1-39 characters), not starting with a hyphen"
        why = separator_problem(owner, "repo:OWNER/REPO:...")
        if why is None and len(owner) > 39:
            why = f"GitHub account names have at most 39 characters; this one has {len(owner)}"
        return f"{accepted}: {why}" if why else accepted

    def _without_git_suffix(self, repo: GitHubRepository) -> GitHubRepository:
        """`repo` without a `.git` suffix (GitHub drops it when it creates the repository), with a
        warning that says so; unchanged otherwise."""
        if not repo.name.endswith(".git") or len(repo.name) <= len(".git"):
            return repo
        stripped = replace(repo, name=repo.name.removesuffix(".git"))
        Annotations.of(self).add_warning_v2(
            "federation:github-repository-git-suffix",
            f"repositories: {repo.full_name!r} is trusted as {stripped.full_name!r}: GitHub drops a '.git' "
            f"suffix when it creates a repository, so tokens carry repo:{stripped.full_name}:... "
            f"(write {stripped.full_name!r} to silence this warning)",
        )
        return stripped

    def _refs(
        self,
        branches: Sequence[str],
        tags: Sequence[str],
        environments: Sequence[str],
        pull_requests: bool,
        allow_any_ref: bool,
    ) -> tuple[list[str], list[str], list[str]]:
        """(branches, tags, environments), checked, with the default applied: `main` when no
        branch, tag, environment or pull request is named."""
        checked: list[list[str]] = []
        kinds: tuple[tuple[str, Sequence[str], RefKind | None], ...] = (
            ("branches", branches, "branch"),
            ("tags", tags, "tag"),
            ("environments", environments, None),
        )
        for field, values, kind in kinds:
            names: list[str] = []
            for value in checked_list(self, field, values, field):
                if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
                    raise invalid(self, field, value, "non-empty names without spaces")
                if is_only_wildcards(value) and not allow_any_ref:
                    raise invalid(
                        self,
                        field,
                        value,
                        f"named {field}: '{value}' admits every one, so anyone who can push a "
                        f"workflow could assume the role (allow_any_ref=True to mean it)",
                    )
                names.append(self._ref_name(field, value, kind) if kind else self._environment(value))
            checked.append(names)
        resolved_branches, resolved_tags, resolved_environments = checked
        if not (resolved_branches or resolved_tags or resolved_environments or pull_requests):
            resolved_branches = [DEFAULT_BRANCH]
        return resolved_branches, resolved_tags, resolved_environments

    def _ref_name(self, field: str, value: str, kind: RefKind) -> str:
        """`value`, a branch or tag name git allows; a full ref (`refs/heads/main`) is refused with
        the name it most likely meant."""
        ref = full_ref(value)
        if ref is not None:
            raise invalid(self, field, value, _full_ref_hint(value, kind, ref))
        problem = git_ref_problem(value, kind)
        if problem:
            raise invalid(self, field, value, f"{kind} names git accepts (git check-ref-format): {problem}")
        return value

    def _environment(self, value: str) -> str:
        """`value` as GitHub writes it into the subject: a `:` becomes `%3A` (with a warning)."""
        problem = github_environment_problem(value)
        if problem:
            raise invalid(self, "environments", value, f"a GitHub environment name: {problem}")
        if ":" not in value:
            return value
        encoded = value.replace(":", "%3A")
        # GitHub: "Any `:` within the metadata values will be replaced with `%3A` in the subject
        # claim" (https://docs.github.com/en/actions/reference/security/oidc#filtering-for-metadata-containing-)
        Annotations.of(self).add_warning_v2(
            "federation:github-environment-colon",
            f"environments: {value!r} is trusted as {encoded!r}: GitHub writes ':' in the subject as %3A "
            f"(environment:{encoded}); write {encoded!r} to silence this warning",
        )
        return encoded

    @staticmethod
    def _contexts(
        branches: Sequence[str], tags: Sequence[str], environments: Sequence[str], pull_requests: bool
    ) -> list[str]:
        """The `sub` contexts after `repo:OWNER/REPO:` for the resolved refs."""
        return (
            [f"ref:refs/heads/{b}" for b in branches]
            + [f"ref:refs/tags/{t}" for t in tags]
            + [f"environment:{e}" for e in environments]
            + (["pull_request"] if pull_requests else [])
        )

    def _workflow_refs(self, refs: Sequence[str]) -> list[str]:
        values = (
            [refs]
            if isinstance(refs, str)
            else checked_list(self, "job_workflow_refs", refs, "OWNER/REPO/.github/workflows/FILE.yml@REF references")
        )
        for ref in values:
            if not isinstance(ref, str) or not _WORKFLOW_REF_RE.fullmatch(ref) or has_wildcard(ref.split("@")[0]):
                raise invalid(
                    self,
                    "job_workflow_refs",
                    ref,
                    "OWNER/REPO/.github/workflows/FILE.yml@REF, wildcards only after '@'",
                )
        return values


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _full_ref_hint(value: str, kind: RefKind, ref: tuple[str, str]) -> str:
    """What to write instead of the full ref `value` in a list of `kind` names."""
    namespace, rest = ref
    own, other = ("heads", "tags") if kind == "branch" else ("tags", "heads")
    accepted = f"a {kind} name, not a full ref"
    if namespace == own and rest:
        return (
            f"{accepted}: did you mean {rest!r}? (the subject adds 'refs/{own}/' itself, so {value!r} "
            f"would only match ref:refs/{own}/{value}, which no token carries)"
        )
    if namespace == other and rest:
        other_field = "tags" if kind == "branch" else "branches"
        return f"{accepted}: {value!r} is a {'tag' if kind == 'branch' else 'branch'}; did you mean {other_field}=[{rest!r}]?"
    if namespace == "pull":
        return f"{accepted}: pull request jobs are admitted with pull_requests=True"
    return f"{accepted}: only branches (refs/heads/) and tags (refs/tags/) appear in GitHub's ref subjects"
