"""The broker's runtime module: user ids, the session policy, AssumeRole and the console sign-in URL.

Nothing here reaches AWS or the network: STS is `moto`'s (with fake credentials from the
environment), and the federation endpoint is a stub HTTP server on 127.0.0.1. The session policy is
checked with the independent evaluator in `tests/s3_matcher.py`, not by reading its JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto import mock_aws

from federation_constructs.storage.broker import (
    DEFAULT_FEDERATION_ENDPOINT,
    BrokerError,
    Credentials,
    check_user_id,
    console_url,
    credentials_for_user,
    session_policy,
)
from tests.s3_matcher import S3Request, s3_allows
from tests.support import REPO

BUCKET = "my-user-data"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
ROLE_ARN = "arn:aws:iam::111122223333:role/FederationBrokerRole"
ISSUER = "https://intranet.example.com/sign-in"
DESTINATION = "https://console.aws.amazon.com/s3/"
USER_ID_64 = "user_01+x=y-z" + "a" * 51
assert len(USER_ID_64) == 64


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region, no profile or config file: boto3 never reads real ones; and no
    proxy, so the stub server on 127.0.0.1 is reached directly."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@dataclass
class Stub:
    """The stub federation endpoint: what it answers, and every request it saw."""

    endpoint: str
    body: bytes = b'{"SigninToken": "tok-123"}'
    requests: list[str] = field(default_factory=list)

    def query(self, index: int = -1) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.requests[index]).query, keep_blank_values=True)


@pytest.fixture(scope="module")
def stub_server() -> Iterator[tuple[ThreadingHTTPServer, dict[str, Stub]]]:
    current: dict[str, Stub] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            stub = current["stub"]
            stub.requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(stub.body)))
            self.end_headers()
            self.wfile.write(stub.body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, current
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def stub(stub_server: tuple[ThreadingHTTPServer, dict[str, Stub]]) -> Stub:
    """A fresh stub (default answer `{"SigninToken": "tok-123"}`) on the module's server."""
    server, current = stub_server
    current["stub"] = Stub(endpoint=f"http://127.0.0.1:{server.server_address[1]}/federation")
    return current["stub"]


class NoSts:
    """An STS client that must not be called: every refusal happens before AssumeRole."""

    def assume_role(self, **kwargs: Any) -> Any:
        raise AssertionError(f"sts.assume_role was called with {kwargs!r}")


def recording_sts() -> tuple[Any, list[dict[str, Any]]]:
    """A (moto-backed) STS client and the list every AssumeRole call's parameters land in."""
    client = boto3.client("sts", region_name="us-east-1")
    calls: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    client.meta.events.register("before-parameter-build.sts.AssumeRole", hook)
    return client, calls


CREDS = Credentials(
    access_key_id="ASIAEXAMPLE",
    secret_access_key="secret/key+x",
    session_token="token==",
    expiration=None,
    user_id="alice",
)


# --- no CDK at run time --------------------------------------------------------------------------


def test_importing_the_broker_does_not_start_cdk_or_jsii() -> None:
    code = (
        "import sys, federation_constructs.storage.broker; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs', 'cdk_nag')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"the broker module imported {result.stdout.strip()}"


# --- credentials_for_user under moto ------------------------------------------------------------


def test_credentials_for_user_sends_source_identity_tag_and_session_policy() -> None:
    with mock_aws():
        client, calls = recording_sts()
        creds = credentials_for_user(
            "alice", role_arn=ROLE_ARN, bucket=BUCKET, duration_seconds=1800, sts_client=client
        )
    assert isinstance(creds, Credentials)
    assert creds.access_key_id and creds.secret_access_key and creds.session_token
    assert creds.user_id == "alice"
    assert creds.assumed_role_arn and creds.assumed_role_arn.endswith("/broker-alice")
    assert len(calls) == 1
    params = calls[0]
    assert set(params) == {"RoleArn", "RoleSessionName", "SourceIdentity", "Tags", "Policy", "DurationSeconds"}
    assert params["RoleArn"] == ROLE_ARN
    assert params["RoleSessionName"] == "broker-alice"
    assert params["SourceIdentity"] == "alice"
    assert params["Tags"] == [{"Key": "user", "Value": "alice"}]
    assert params["DurationSeconds"] == 1800
    assert json.loads(params["Policy"]) == session_policy("alice", bucket=BUCKET)


def test_credentials_for_user_passes_level_actions_tag_key_and_prefix() -> None:
    with mock_aws():
        client, calls = recording_sts()
        creds = credentials_for_user(
            "bob.smith@example.com",
            role_arn=ROLE_ARN,
            bucket=BUCKET,
            level="home/{id}/",
            actions=["read"],
            tag_key="employee",
            session_name_prefix="intranet",
            sts_client=client,
        )
    assert creds.user_id == "bob.smith@example.com"
    params = calls[0]
    assert params["RoleSessionName"] == "intranet-bob.smith@example.com"
    assert params["Tags"] == [{"Key": "employee", "Value": "bob.smith@example.com"}]
    assert "DurationSeconds" not in params  # not sent by default: the console sign-in needs that
    assert json.loads(params["Policy"]) == session_policy(
        "bob.smith@example.com", bucket=BUCKET, level="home/{id}/", actions=["read"]
    )


def test_credentials_for_user_session_name_stays_within_64_characters() -> None:
    with mock_aws():
        client, calls = recording_sts()
        credentials_for_user(USER_ID_64, role_arn=ROLE_ARN, bucket=BUCKET, sts_client=client)
    assert len(calls[0]["RoleSessionName"]) == 64
    assert calls[0]["SourceIdentity"] == USER_ID_64  # the full id is still the source identity and the tag
    assert calls[0]["Tags"] == [{"Key": "user", "Value": USER_ID_64}]


def test_credentials_for_user_default_client_is_boto3s() -> None:
    with mock_aws():
        creds = credentials_for_user("alice", role_arn=ROLE_ARN, bucket=BUCKET)
    assert creds.session_token and creds.user_id == "alice"


def test_credentials_for_user_refuses_an_answer_without_credentials() -> None:
    class Empty:
        def assume_role(self, **_: Any) -> dict[str, Any]:
            return {"AssumedRoleUser": {"Arn": "x"}}

    with pytest.raises(BrokerError, match="without credentials"):
        credentials_for_user("alice", role_arn=ROLE_ARN, bucket=BUCKET, sts_client=Empty())


# --- the session policy, through the independent evaluator ---------------------------------------


def allowed(policy: dict[str, Any], action: str, key: str | None = None, **context: Any) -> bool:
    resource = BUCKET_ARN if key is None else f"{BUCKET_ARN}/{key}"
    return s3_allows(S3Request(action=action, resource=resource, context=context), identity_policies=[policy])


def test_private_session_policy_reaches_only_alices_folder() -> None:
    policy = session_policy("alice", bucket=BUCKET)
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"):
        assert allowed(policy, action, "private/alice/x"), action
        assert allowed(policy, action, "private/alice/deep/er/x.txt"), action
        for key in (
            "private/alice2/x",
            "private/bob/x",
            "x",
            "private/x",
            "private/alicex",
            "public/x",
            "protected/alice/x",
        ):
            assert not allowed(policy, action, key), (action, key)
    assert allowed(policy, "s3:ListBucket", **{"s3:prefix": "private/alice/"})
    assert allowed(policy, "s3:ListBucket", **{"s3:prefix": "private/alice/sub/"})
    for prefix in ("private/", "private/alice", "private/alice2/", "private/bob/", "", "private/*"):
        assert not allowed(policy, "s3:ListBucket", **{"s3:prefix": prefix}), prefix
    assert not allowed(policy, "s3:ListBucket")  # no s3:prefix: the whole bucket
    assert not allowed(policy, "s3:GetObjectAcl", "private/alice/x")
    assert not allowed(policy, "s3:PutObjectAcl", "private/alice/x")


def test_custom_level_session_policy() -> None:
    policy = session_policy("alice", bucket=BUCKET, level="home/{id}/")
    assert allowed(policy, "s3:GetObject", "home/alice/x")
    assert allowed(policy, "s3:PutObject", "home/alice/x")
    assert allowed(policy, "s3:DeleteObject", "home/alice/x")
    for key in ("home/alice2/x", "home/bob/x", "private/alice/x", "x", "home/x"):
        assert not allowed(policy, "s3:GetObject", key), key
    assert allowed(policy, "s3:ListBucket", **{"s3:prefix": "home/alice/"})
    assert not allowed(policy, "s3:ListBucket", **{"s3:prefix": "home/"})
    assert not allowed(policy, "s3:ListBucket", **{"s3:prefix": "private/alice/"})
    assert not allowed(policy, "s3:ListBucket")


def test_read_only_session_policy() -> None:
    policy = session_policy("alice", bucket=BUCKET, actions=["read"])
    assert allowed(policy, "s3:GetObject", "private/alice/x")
    assert not allowed(policy, "s3:PutObject", "private/alice/x")
    assert not allowed(policy, "s3:DeleteObject", "private/alice/x")
    assert not allowed(policy, "s3:AbortMultipartUpload", "private/alice/x")
    assert allowed(policy, "s3:ListBucket", **{"s3:prefix": "private/alice/"})


def test_session_policy_in_another_partition() -> None:
    policy = session_policy("alice", bucket=BUCKET, partition="aws-cn")
    assert all(str(s["Resource"]).startswith(f"arn:aws-cn:s3:::{BUCKET}") for s in policy["Statement"])


@pytest.mark.parametrize("level", ["private", "protected", "public", "home/{id}/"])
def test_session_policy_fits_sts_limit_for_the_longest_id(level: str) -> None:
    packed = json.dumps(session_policy(USER_ID_64, bucket="b" * 63, level=level), separators=(",", ":"))
    assert len(packed) <= 2048  # sts:AssumeRole's Policy limit


def test_user_ids_that_are_prefixes_of_each_other_stay_apart() -> None:
    for user, other in (("al", "alice"), ("alice", "al"), ("alice", "alice.smith"), ("a.b", "a-b")):
        policy = session_policy(user, bucket=BUCKET)
        assert allowed(policy, "s3:GetObject", f"private/{user}/x")
        assert not allowed(policy, "s3:GetObject", f"private/{other}/x"), (user, other)
        assert not allowed(policy, "s3:ListBucket", **{"s3:prefix": f"private/{other}/"}), (user, other)


# --- refusals ----------------------------------------------------------------------------------

REFUSED_USER_IDS = [
    pytest.param("a/b", id="slash"),
    pytest.param("../x", id="dotdot-slash"),
    pytest.param("a..b", id="dotdot"),
    pytest.param("..", id="only-dotdot"),
    pytest.param("*", id="star"),
    pytest.param("a*", id="trailing-star"),
    pytest.param("a?", id="question"),
    pytest.param("${aws:username}", id="variable"),
    pytest.param("$x", id="dollar"),
    pytest.param("", id="empty"),
    pytest.param("a", id="one-char"),
    pytest.param("a" * 65, id="65-chars"),
    pytest.param("al ice", id="space"),
    pytest.param("alice\n", id="newline"),
    pytest.param("al,ice", id="comma"),
    pytest.param("élise", id="non-ascii"),
    pytest.param(5, id="int"),
    pytest.param(None, id="none"),
    pytest.param(b"alice", id="bytes"),
]


def expect_refusal(value: object, fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(BrokerError) as err:
        fn(*args, **kwargs)
    message = str(err.value)
    assert repr(value) in message, f"{value!r} not in {message!r}"
    assert "expected" in message, message
    return message


@pytest.mark.parametrize("user_id", REFUSED_USER_IDS)
def test_refused_user_id(user_id: object) -> None:
    expect_refusal(user_id, check_user_id, user_id)
    expect_refusal(user_id, session_policy, user_id, bucket=BUCKET)
    message = expect_refusal(
        user_id, credentials_for_user, user_id, role_arn=ROLE_ARN, bucket=BUCKET, sts_client=NoSts()
    )
    assert "user_id" in message


@pytest.mark.parametrize("user_id", ["alice", "alice.smith@example.com", "user_01+x=y-z", "al", USER_ID_64])
def test_accepted_user_id(user_id: str) -> None:
    assert check_user_id(user_id) == user_id
    assert session_policy(user_id, bucket=BUCKET)["Statement"]


# (id, keyword arguments, the refused value)
REFUSED_ARGUMENTS = [
    ("role_arn_star", {"role_arn": "*"}, "*"),
    ("role_arn_short_account", {"role_arn": "arn:aws:iam::123:role/x"}, "arn:aws:iam::123:role/x"),
    ("role_arn_user", {"role_arn": "arn:aws:iam::111122223333:user/x"}, "arn:aws:iam::111122223333:user/x"),
    ("role_arn_none", {"role_arn": None}, None),
    ("duration_899", {"duration_seconds": 899}, 899),
    ("duration_43201", {"duration_seconds": 43201}, 43201),
    ("duration_true", {"duration_seconds": True}, True),
    ("duration_str", {"duration_seconds": "3600"}, "3600"),
    ("bucket_upper", {"bucket": "Bad_Bucket"}, "Bad_Bucket"),
    ("bucket_dotdot", {"bucket": "a..b"}, "a..b"),
    ("level_secret", {"level": "secret"}, "secret"),
    ("level_no_slash", {"level": "home/{id}"}, "home/{id}"),
    ("level_star", {"level": "home*/{id}/"}, "home*/{id}/"),
    ("actions_admin", {"actions": ["admin"]}, "admin"),
    ("actions_empty", {"actions": []}, []),
    ("partition", {"partition": "AWS"}, "AWS"),
    ("session_name_prefix_space", {"session_name_prefix": "a b"}, "a b"),
    ("session_name_prefix_empty", {"session_name_prefix": ""}, ""),
    ("session_name_prefix_long", {"session_name_prefix": "p" * 21}, "p" * 21),
    # STS and IAM names are ASCII: Python's \w and \d also match 'é' and '١' unless told otherwise
    (
        "role_arn_unicode_name",
        {"role_arn": "arn:aws:iam::111122223333:role/brökér"},
        "arn:aws:iam::111122223333:role/brökér",
    ),
    ("role_arn_unicode_digits", {"role_arn": "arn:aws:iam::١١١١٢٢٢٢٣٣٣٣:role/x"}, "arn:aws:iam::١١١١٢٢٢٢٣٣٣٣:role/x"),
    ("session_name_prefix_unicode", {"session_name_prefix": "brökér"}, "brökér"),
]


@pytest.mark.parametrize(("kwargs", "value"), [pytest.param(k, v, id=i) for i, k, v in REFUSED_ARGUMENTS])
def test_refused_argument_never_calls_sts(kwargs: dict[str, Any], value: object) -> None:
    arguments: dict[str, Any] = {"role_arn": ROLE_ARN, "bucket": BUCKET, "sts_client": NoSts(), **kwargs}
    message = expect_refusal(value, credentials_for_user, "alice", **arguments)
    assert message.startswith("broker: ")


# --- console_url against the stub endpoint -----------------------------------------------------


def login_query(url: str, endpoint: str) -> dict[str, list[str]]:
    assert url.startswith(f"{endpoint}?"), url
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def test_console_url_asks_for_a_token_and_builds_the_login_url(stub: Stub) -> None:
    url = console_url(CREDS, issuer=ISSUER, destination=DESTINATION, federation_endpoint=stub.endpoint)
    assert len(stub.requests) == 1
    assert urllib.parse.urlsplit(stub.requests[0]).path == "/federation"
    asked = stub.query()
    assert asked["Action"] == ["getSigninToken"]
    assert "SessionDuration" not in asked
    assert set(asked) == {"Action", "Session"}
    assert json.loads(asked["Session"][0]) == {
        "sessionId": "ASIAEXAMPLE",
        "sessionKey": "secret/key+x",
        "sessionToken": "token==",
    }
    query = login_query(url, stub.endpoint)
    assert query == {"Action": ["login"], "Issuer": [ISSUER], "Destination": [DESTINATION], "SigninToken": ["tok-123"]}


def test_console_url_with_session_duration(stub: Stub) -> None:
    console_url(CREDS, issuer=ISSUER, federation_endpoint=stub.endpoint, session_duration=3600)
    assert stub.query()["SessionDuration"] == ["3600"]


def test_console_url_default_destination(stub: Stub) -> None:
    url = console_url(CREDS, issuer=ISSUER, federation_endpoint=stub.endpoint)
    assert login_query(url, stub.endpoint)["Destination"] == ["https://console.aws.amazon.com/"]


def test_console_url_with_boto3_style_credentials(stub: Stub) -> None:
    raw = {"AccessKeyId": "ASIA2", "SecretAccessKey": "s2", "SessionToken": "t2", "Expiration": "whenever"}
    url = console_url(raw, issuer=ISSUER, destination=DESTINATION, federation_endpoint=stub.endpoint)
    assert json.loads(stub.query()["Session"][0]) == {"sessionId": "ASIA2", "sessionKey": "s2", "sessionToken": "t2"}
    assert login_query(url, stub.endpoint)["SigninToken"] == ["tok-123"]


def test_console_url_on_localhost(stub: Stub) -> None:
    endpoint = stub.endpoint.replace("127.0.0.1", "localhost")
    url = console_url(CREDS, issuer=ISSUER, federation_endpoint=endpoint)
    assert url.startswith(f"{endpoint}?") and stub.requests


def test_console_url_default_endpoint_is_aws_signin() -> None:
    assert DEFAULT_FEDERATION_ENDPOINT == "https://signin.aws.amazon.com/federation"
    assert console_url.__kwdefaults__["federation_endpoint"] == DEFAULT_FEDERATION_ENDPOINT


def test_console_url_uses_the_opener_it_is_given() -> None:
    seen: list[tuple[str, float]] = []

    class Answer:
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *_: Any) -> None:
            return None

        def read(self) -> bytes:
            return b'{"SigninToken": "tok-9"}'

    def opener(url: str, timeout: float) -> Answer:
        seen.append((url, timeout))
        return Answer()

    url = console_url(CREDS, issuer=ISSUER, opener=opener, timeout=3.0)  # the default endpoint, never reached
    assert seen[0][0].startswith(f"{DEFAULT_FEDERATION_ENDPOINT}?Action=getSigninToken&")
    assert seen[0][1] == 3.0
    assert url.startswith(f"{DEFAULT_FEDERATION_ENDPOINT}?Action=login&")


# (id, keyword arguments, the refused value)
REFUSED_CONSOLE_ARGUMENTS = [
    (
        "plain_http_off_loopback",
        {"federation_endpoint": "http://example.com/federation"},
        "http://example.com/federation",
    ),
    ("endpoint_with_query", {"federation_endpoint": "https://x/federation?a=b"}, "https://x/federation?a=b"),
    ("endpoint_with_fragment", {"federation_endpoint": "https://x/federation#a"}, "https://x/federation#a"),
    ("endpoint_ftp", {"federation_endpoint": "ftp://127.0.0.1/federation"}, "ftp://127.0.0.1/federation"),
    ("issuer_http", {"issuer": "http://intranet"}, "http://intranet"),
    ("issuer_none", {"issuer": None}, None),
    ("destination_ftp", {"destination": "ftp://x"}, "ftp://x"),
    ("session_duration_100", {"session_duration": 100}, 100),
    ("session_duration_43201", {"session_duration": 43201}, 43201),
    ("session_duration_true", {"session_duration": True}, True),
]


@pytest.mark.parametrize(("kwargs", "value"), [pytest.param(k, v, id=i) for i, k, v in REFUSED_CONSOLE_ARGUMENTS])
def test_console_url_refusal_never_calls_the_endpoint(stub: Stub, kwargs: dict[str, Any], value: object) -> None:
    def opener(*_: Any, **__: Any) -> Any:
        raise AssertionError("the federation endpoint was called")

    arguments: dict[str, Any] = {"issuer": ISSUER, "federation_endpoint": stub.endpoint, "opener": opener, **kwargs}
    expect_refusal(value, console_url, CREDS, **arguments)
    assert not stub.requests


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({"AccessKeyId": "a", "SecretAccessKey": "b"}, id="no-session-token"),
        pytest.param({}, id="empty"),
        pytest.param(None, id="none"),
    ],
)
def test_console_url_refuses_credentials_without_a_session_token(stub: Stub, credentials: Any) -> None:
    with pytest.raises(BrokerError, match="credentials is not accepted; expected"):
        console_url(credentials, issuer=ISSUER, federation_endpoint=stub.endpoint)
    assert not stub.requests


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html>not json</html>", id="not-json"),
        pytest.param(b'{"Token": "x"}', id="no-signin-token"),
        pytest.param(b'["tok-123"]', id="a-list"),
        pytest.param(b'{"SigninToken": ""}', id="empty-token"),
        pytest.param(b'{"SigninToken": 5}', id="non-string-token"),
    ],
)
def test_console_url_refuses_an_answer_without_a_token(stub: Stub, body: bytes) -> None:
    stub.body = body
    with pytest.raises(BrokerError, match="SigninToken"):
        console_url(CREDS, issuer=ISSUER, federation_endpoint=stub.endpoint)
    assert len(stub.requests) == 1


# --- end to end --------------------------------------------------------------------------------


def test_credentials_then_console_url(stub: Stub) -> None:
    with mock_aws():
        client, calls = recording_sts()
        creds = credentials_for_user("alice", role_arn=ROLE_ARN, bucket=BUCKET, sts_client=client)
    url = console_url(creds, issuer=ISSUER, destination=DESTINATION, federation_endpoint=stub.endpoint)
    assert calls and calls[0]["SourceIdentity"] == "alice"
    session = json.loads(stub.query()["Session"][0])
    assert session == {
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
    }
    assert login_query(url, stub.endpoint)["SigninToken"] == ["tok-123"]
