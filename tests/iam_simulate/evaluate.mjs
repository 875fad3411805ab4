// Test-time IAM trust-policy evaluator backed by @cloud-copilot/iam-simulate (AGPL-3.0-or-later).
//
// A dev dependency for the tests only: the Python package never ships or imports this file or
// the library. See README.md beside this file.
//
// stdin:  {"cases": [{"policy": {...}, "principal": "...", "principalType": "Federated"|"AWS",
//                     "action": "sts:AssumeRoleWithWebIdentity", "context": {"k": "v" | ["v1", "v2"]},
//                     "role": "arn:aws:iam::123456789012:role/name"  (optional)}]}
// stdout: {"results": [{"allowed": true|false, "decision": "Allowed"|"ImplicitlyDenied"|...|null,
//                       "error": null|"..."}]}
//
// A case that cannot be evaluated faithfully (invalid trust policy, unresolved `Ref`, unknown
// action, malformed context) gets `allowed: false` and an `error`; the caller must treat that as
// a failure, never as a deny. A malformed document as a whole exits with status 2.

import { createValidatedPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy'
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate'

const DEFAULT_ACCOUNT = '123456789012'

// The actions a role trust policy can grant (IAM's own list for trust policies). Anything else is
// almost certainly a typo, which the library would silently evaluate as a deny.
const TRUST_ACTIONS = new Set(
  [
    'sts:AssumeRole',
    'sts:AssumeRoleWithWebIdentity',
    'sts:AssumeRoleWithSAML',
    'sts:TagSession',
    'sts:SetSourceIdentity',
    'sts:SetContext'
  ].map((a) => a.toLowerCase())
)

const PRINCIPAL_TYPES = new Set(['Federated', 'AWS'])

// The caller's own side of an AWS-principal request. IAM needs both the trust policy and, for
// principals the trust policy names only by account, the caller's identity policy; this evaluator
// judges the trust policy alone, so the caller's identity side is taken to allow the call.
// Federated callers (AssumeRoleWith*) have no identity policy, so they get none.
const CALLER_ALLOWS_ALL = {
  name: 'caller-identity-allows-sts',
  policy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:*', Resource: '*' }]
  }
}

class CaseError extends Error {}

/** The account of an ARN, or undefined for a non-ARN principal (e.g. cognito-identity.amazonaws.com). */
function arnAccount(value) {
  const parts = value.split(':')
  if (parts.length < 6 || parts[0] !== 'arn' || !/^\d{12}$/.test(parts[4])) {
    return undefined
  }
  return parts[4]
}

/** Check the request context: string or list-of-strings values, no two keys equal ignoring case. */
function checkContext(context) {
  if (context === undefined || context === null) {
    return {}
  }
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new CaseError('context must be an object of key -> string or list of strings')
  }
  const seen = new Map()
  for (const [key, value] of Object.entries(context)) {
    const folded = key.toLowerCase()
    if (seen.has(folded)) {
      throw new CaseError(`context keys ${JSON.stringify(seen.get(folded))} and ${JSON.stringify(key)} differ only in case (IAM keys are case-insensitive)`)
    }
    seen.set(folded, key)
    const ok =
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    if (!ok) {
      throw new CaseError(`context[${JSON.stringify(key)}] must be a string or a list of strings; got ${JSON.stringify(value)}`)
    }
  }
  return context
}

// Validated policies by their JSON text: a batch usually asks many questions of few policies.
const validatedPolicies = new Map()

/**
 * The policy validated as a *trust* policy (no Resource; Principal and Action required), so a
 * `{"Ref": ...}` principal fails here rather than silently never matching. The ValidatedPolicy
 * wrapper also carries the name that runUnsafeSimulation needs: it loads the resource policy
 * without metadata and a bare document crashes on `metadata().name`.
 */
function validatedTrustPolicy(policy) {
  const text = JSON.stringify(policy)
  let validated = validatedPolicies.get(text)
  if (validated === undefined) {
    validated = createValidatedPolicy(policy, validateTrustPolicy, {
      name: `trust-policy-${validatedPolicies.size}`
    })
    validatedPolicies.set(text, validated)
  }
  return validated
}

/** Build the Simulation for one case, or throw CaseError. */
function simulationFor(testCase) {
  if (!testCase || typeof testCase !== 'object') {
    throw new CaseError('case must be an object')
  }
  const { policy, principal, principalType, action, context, role } = testCase
  if (!policy || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new CaseError('policy must be a policy document object')
  }
  if (typeof principal !== 'string' || principal === '') {
    throw new CaseError('principal must be a non-empty string (resolve Ref/Fn::* principals to ARN strings first)')
  }
  if (!PRINCIPAL_TYPES.has(principalType)) {
    throw new CaseError(`principalType must be "Federated" or "AWS"; got ${JSON.stringify(principalType)}`)
  }
  if (typeof action !== 'string' || !TRUST_ACTIONS.has(action.toLowerCase())) {
    throw new CaseError(`action ${JSON.stringify(action)} is not an STS action a trust policy governs`)
  }
  const contextVariables = checkContext(context)

  const validated = validatedTrustPolicy(policy)
  if (validated.errors.length > 0) {
    const detail = validated.errors.map((e) => `${e.path}: ${e.message}`).join('; ')
    throw new CaseError(`invalid trust policy: ${detail}`)
  }

  // The role the trust policy is attached to. By default it lives in the principal's account (an
  // OIDC/SAML provider must be in the role's account), else in a fixed test account.
  const roleArn =
    role ?? `arn:aws:iam::${arnAccount(principal) ?? DEFAULT_ACCOUNT}:role/iam-simulate-target`
  if (typeof roleArn !== 'string' || !/^arn:[^:]+:iam::\d{12}:role\/.+/.test(roleArn)) {
    throw new CaseError(`role must be an IAM role ARN; got ${JSON.stringify(roleArn)}`)
  }

  return {
    request: {
      principal,
      action,
      resource: { resource: roleArn, accountId: arnAccount(roleArn) },
      contextVariables
    },
    identityPolicies: principalType === 'AWS' ? [CALLER_ALLOWS_ALL] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: validated
  }
}

function evaluateCase(testCase) {
  try {
    const simulation = simulationFor(testCase)
    // runUnsafeSimulation: the validating runSimulation filters the request context down to the
    // keys iam-data lists for the action, which drops the provider keys (`...:sub`, `...:aud`,
    // `...:amr`, `SAML:aud`) and so denies every federated request.
    // It returns the bare decision string ('Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied').
    const decision = runUnsafeSimulation(simulation, {})
    if (typeof decision !== 'string') {
      throw new Error(`unexpected result from runUnsafeSimulation: ${JSON.stringify(decision)}`)
    }
    return { allowed: decision === 'Allowed', decision, error: null }
  } catch (err) {
    const message = err instanceof CaseError ? err.message : `iam-simulate failed: ${err?.stack ?? err}`
    return { allowed: false, decision: null, error: message }
  }
}

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) {
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function main() {
  let document
  try {
    document = JSON.parse(await readStdin())
  } catch (err) {
    process.stderr.write(`evaluate.mjs: stdin is not JSON: ${err.message}\n`)
    process.exit(2)
  }
  if (!document || !Array.isArray(document.cases)) {
    process.stderr.write('evaluate.mjs: expected {"cases": [...]} on stdin\n')
    process.exit(2)
  }
  const results = document.cases.map((c) => evaluateCase(c))
  process.stdout.write(JSON.stringify({ results }))
}

await main()
