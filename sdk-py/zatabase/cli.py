"""The `zatabase` command: cluster administration from a shell (`zatabase cache status`, ...).

The command itself lives in the core (zcache/admin_cli.h), shared with the Node package, so both
behave the same; this module only passes the arguments and the environment in and prints what
comes out. Exit codes: 0 success, 1 the brain refused (4xx), 2 bad usage, 3 brain unreachable or
too slow. `zatabase --help` lists the commands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Optional, TextIO

from . import _native

__all__ = ["main", "ENVIRONMENT"]

#: The variables the command reads (passed down explicitly; nothing else of the environment is).
ENVIRONMENT = ("ZATABASE_URL", "ZCACHE_BRAIN_URL", "ZATABASE_TOKEN", "ZCACHE_TIMEOUT", "ZCACHE_ENABLED")


def _write(stream: TextIO, text: str) -> None:
    if text:
        stream.write(text)
        stream.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs one invocation (``argv`` without the program name; default ``sys.argv[1:]``) and returns
    its exit code. Blocks until the brain answers, bounded by the timeout."""
    args = list(sys.argv[1:] if argv is None else argv)
    env = {name: os.environ[name] for name in ENVIRONMENT if name in os.environ}
    code, out, err = _native.run_admin_cli(args, env)
    try:
        _write(sys.stdout, out)
    except BrokenPipeError:  # `zatabase cache nodes | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush succeeds
    _write(sys.stderr, err)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
