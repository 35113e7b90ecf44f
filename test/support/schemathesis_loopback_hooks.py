"""Keeps what a fuzzer sends on this machine.

Loaded by schemathesis (SCHEMATHESIS_HOOKS) in the API fuzz test. A project's repository is cloned
and pushed to by the worker, and its webhook URL is called on every hold point: a fuzzed
"https://some.host/x" that the API accepts would make the worker reach out. Just before each
request is sent, such values are pointed at a closed port on loopback instead. Values the API
refuses anyway (bad schemes, "-o…", whitespace) are left alone, so their refusals are still
fuzzed. The test stack refuses the rest on its side too (see test/support/loopback-only.ts).
"""

import re

import schemathesis

LOOPBACK = "http://127.0.0.1:9/"
# Anything git would reach over the network: scheme://… other than file://, or scp-like user@host:path.
NETWORK_REPOSITORY = re.compile(r"^\s*(?!file:)(?:[A-Za-z][A-Za-z0-9+.-]*://|[^/\s]*@[^/\s]*:)", re.IGNORECASE)


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if not case.operation.path.startswith("/projects") or not isinstance(case.body, dict):
        return
    repository = case.body.get("repository")
    if isinstance(repository, str) and NETWORK_REPOSITORY.match(repository):
        case.body["repository"] = LOOPBACK + "fuzzed.git"
    execution = case.body.get("execution")
    if isinstance(execution, dict) and isinstance(execution.get("webhookUrl"), str):
        execution["webhookUrl"] = LOOPBACK + "hook"
