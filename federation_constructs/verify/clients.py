"""boto3 clients that can only read: every client `federation-verify` uses comes from `ReadOnlyClients`,
which refuses any operation that is not a read before botocore builds the request.

The guard is defence in depth: the code calls only read APIs, and the credentials may well allow
writes; a mistake in this package must still never change an account.
"""

from __future__ import annotations

from typing import Any

__all__ = ["READ_PREFIXES", "ReadOnlyClients", "ReadOnlyViolation", "is_read_operation"]

#: operation name prefixes that only read
READ_PREFIXES = ("Get", "List", "Describe")
#: reads whose names do not start with a read prefix: none needed today (sts GetCallerIdentity is a Get)
_ALSO_READS: frozenset[tuple[str, str]] = frozenset({("sts", "GetCallerIdentity")})


class ReadOnlyViolation(RuntimeError):
    """An attempt to call an API operation that is not a read, through a read-only client."""


def is_read_operation(service: str, operation: str) -> bool:
    """Whether `operation` (botocore's name, e.g. `GetRole`) of `service` is on the read allow-list."""
    return operation.startswith(READ_PREFIXES) or (service, operation) in _ALSO_READS


def _refuse_writes(model: Any = None, **_: Any) -> None:
    service = model.service_model.service_name
    if not is_read_operation(service, model.name):
        raise ReadOnlyViolation(
            f"{service} {model.name} refused: this tool only reads (operations starting with "
            f"{', '.join(READ_PREFIXES)}, and sts GetCallerIdentity)"
        )


class ReadOnlyClients:
    """Creates (and caches) boto3 clients from one session, each guarded against non-read calls.

    `session` is a `boto3.Session`; handlers registered on its events (e.g. a test's recorder) see every
    call too. The guard runs on `before-parameter-build` (before the request is built) and again on
    `before-call` (just before it is sent).
    """

    def __init__(self, *, session: Any, config: Any = None) -> None:
        self.session = session
        #: a `botocore.config.Config` for every client (e.g. the standard retry mode), or None
        self.config = config
        self._clients: dict[tuple[str, str | None], Any] = {}
        #: the last operation attempted, e.g. ("iam", "GetRole"): error messages name it
        self.last_call: tuple[str, str] | None = None

    def _guard(self, model: Any = None, **kwargs: Any) -> None:
        self.last_call = (model.service_model.service_name, model.name)
        _refuse_writes(model=model, **kwargs)

    def client(self, service: str, *, region: str | None = None) -> Any:
        """A read-only client for `service` in `region` (the session's region when None)."""
        key = (service, region)
        if key not in self._clients:
            client = self.session.client(service, region_name=region, config=self.config)
            client.meta.events.register("before-parameter-build", self._guard, unique_id="federation-verify-ro")
            client.meta.events.register("before-call", _refuse_writes, unique_id="federation-verify-ro-call")
            self._clients[key] = client
        return self._clients[key]
