"""Readers of IAM policy documents and CloudFormation templates, shared by everyone who reads policy.

The constructs, the rules, the proofs, the reports and `federation-verify` all read policy the same
way, through this package:

- `document`: statements, principals and conditions as IAM reads them, from a template's JSON
  (any key case, intrinsics kept as `Unresolved`);
- `template`: a template indexed for rules that look across resources (a role and its policies, a
  trust and its provider, an identity pool and its roles), and the issuers' facts;
- `trust`: which statements of a trust federate, from which issuer, with which claims;
- `s3`: which policies hold per-user S3 statements.

Pure Python: importing this package never starts Node.
"""
