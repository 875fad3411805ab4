"""FED41: a GitHub trust that relies on the `workflow` claim (the workflow's display `name:`, which
whoever edits a workflow file on any branch chooses) or on `actor` (a login, which can be renamed and
then claimed by someone else). Both look like identities and are not.

Sources: GitHub's OIDC reference: `workflow` is "The name of the workflow", `actor_id` is the ID of the
account (https://docs.github.com/en/actions/reference/security/oidc#oidc-token-claims); GitHub, "Changing
your username": after a change the old username becomes available for anyone else to claim
(https://docs.github.com/en/account-and-profile/setting-up-and-managing-your-personal-account-on-github/managing-personal-account-settings/changing-your-github-username)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None or facts.name != "GitHub Actions":
            continue
        statement = trust.statement
        if restricting(statement, facts.key("workflow")) and not restricting(statement, facts.key("job_workflow_ref")):
            yield Hit(
                f"{trust.where()}::{facts.key('workflow')}",
                f"{facts.key('workflow')} is the workflow's display name: anyone who can push a workflow file to "
                f"a branch the subject admits can give their workflow that name",
            )
        logins = [
            v
            for c in restricting(statement, facts.key("actor"))
            for v in c.values
            if is_literal(v) and not v.endswith("[bot]")
        ]
        if logins and not restricting(statement, facts.key("actor_id")):
            yield Hit(
                f"{trust.where()}::{facts.key('actor')}",
                f"{facts.key('actor')} = {', '.join(logins)}: a login can be renamed and then registered by "
                f"someone else; actor_id does not change",
            )


RULE = Rule(
    id="FED41",
    level="warning",
    title="GitHub trust relies on the workflow name or the actor's login (chosen or renamable by users)",
    fix="Use job_workflow_ref (path@ref of a reviewed workflow) instead of workflow, and actor_id instead of actor",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
