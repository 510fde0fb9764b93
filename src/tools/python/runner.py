"""NoETL python tool runner: one long-lived interpreter serving calls one at a time.

Protocol (newline-delimited JSON, one object per line, UTF-8):
  fd 3 (parent -> runner): {"id": n, "code": "...", "args": {...}, "capture_limit": bytes}
  fd 4 (runner -> parent): {"ready": true, "pid": ..., "python": "3.11.7", "executable": ...} once at start, then per call
      {"id": n, "ok": true, "result": <json>, "stdout": "...", "stderr": "..."} or
      {"id": n, "ok": false, "error": {"type", "message", "traceback"}, "stdout": "...", "stderr": "..."}
fd 1 and fd 2 are files the parent opened (and already unlinked): everything the call writes there,
print() or os.write(1, ...) or a subprocess, is captured by truncating them before the call and reading
them after. User output can never reach the protocol pipes, and the parent can still read what a call
wrote if the process dies mid-call (os._exit, a segfault: faulthandler writes the Python stack to fd 2).
"""

import base64
import builtins
import collections
import dataclasses
import datetime
import decimal
import enum
import faulthandler
import hashlib
import inspect
import json
import linecache
import math
import os
import sys
import traceback

REQUESTS_FD = 3
REPLIES_FD = 4
RUNNER_FILE = os.path.abspath(__file__)
CODE_CACHE_SIZE = 128
MAX_SAFE_INT = 2**53

OUT = sys.stdout
ERR = sys.stderr
STDIN = sys.stdin
_compiled = collections.OrderedDict()


class CallFailure(Exception):
    """A problem with the call itself (bad signature, unserialisable result), reported like a user exception."""

    def __init__(self, type_name, message):
        super().__init__(message)
        self.type_name = type_name


def compile_code(code):
    """Compile once per distinct source (LRU of CODE_CACHE_SIZE), and register the source with linecache
    under a stable pseudo-filename so tracebacks show the offending lines."""
    cached = _compiled.get(code)
    if cached is not None:
        _compiled.move_to_end(code)
        return cached
    digest = hashlib.sha256(code.encode("utf-8")).hexdigest()[:12]
    filename = "<python tool %s>" % digest
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    compiled = compile(code, filename, "exec")
    _compiled[code] = compiled
    if len(_compiled) > CODE_CACHE_SIZE:
        _compiled.popitem(last=False)
    return compiled


def bind_arguments(main, args):
    """Call main(**args) when it takes **kwargs; otherwise pass the args its parameters name, and
    fail clearly on a missing required one. Args main does not name are ignored."""
    try:
        signature = inspect.signature(main)
    except (TypeError, ValueError):
        return [], dict(args)
    params = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        positional = [args[p.name] for p in params if p.kind is inspect.Parameter.POSITIONAL_ONLY and p.name in args]
        named = {k: v for k, v in args.items() if k not in {p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_ONLY}}
        return positional, named
    positional, named, missing = [], {}, []
    for p in params:
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if p.name in args:
            if p.kind is inspect.Parameter.POSITIONAL_ONLY:
                positional.append(args[p.name])
            else:
                named[p.name] = args[p.name]
        elif p.default is inspect.Parameter.empty:
            missing.append(p.name)
    if missing:
        given = ", ".join(sorted(args)) or "none"
        names = ", ".join("'%s'" % m for m in missing)
        raise CallFailure("TypeError", "main() is missing required argument%s %s (args given: %s)"
                          % ("s" if len(missing) > 1 else "", names, given))
    return positional, named


def run_code(code, args):
    """Execute the code in a fresh module namespace; return main(...)'s value or the `result` variable."""
    namespace = {"__name__": "__noetl_python__", "__builtins__": builtins}
    exec(compile_code(code), namespace)
    main = namespace.get("main")
    if callable(main):
        positional, named = bind_arguments(main, args)
        value = main(*positional, **named)
    elif "result" in namespace:
        value = namespace["result"]
    else:
        raise CallFailure("ValueError", "the code must define main() or assign a variable named 'result'")
    if inspect.isawaitable(value):
        import asyncio  # lazily: importing asyncio costs ~100 ms of every process start

        value = asyncio.run(_await(value))
    return value


async def _await(awaitable):
    return await awaitable


def to_json(value, path="$"):
    """Convert a Python value to JSON data. datetime/date/time -> ISO 8601; Decimal -> number when a float
    holds it exactly, else string; set -> list (sorted when comparable); bytes -> UTF-8 text when valid, else
    base64; tuple -> list; NaN/Infinity -> null; dataclass -> object; Enum -> its value; UUID -> string."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_key(k): to_json(v, "%s.%s" % (path, k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        try:
            items = sorted(value)
        except TypeError:
            items = list(value)
        return [to_json(v, "%s[%d]" % (path, i)) for i, v in enumerate(items)]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(raw).decode("ascii")
    if isinstance(value, enum.Enum):
        return to_json(value.value, path)
    uuid = sys.modules.get("uuid")  # a UUID can only exist if its module was imported; ours avoids importing it
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(dataclasses.asdict(value), path)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return to_json(value.tolist(), path)
    raise CallFailure("TypeError", "value of type %s at %s is not JSON-serializable" % (type(value).__name__, path))


def _key(key):
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    return str(key)


def _decimal(value):
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value() and abs(value) < MAX_SAFE_INT:
        return int(value)
    as_float = float(value)
    return as_float if decimal.Decimal(repr(as_float)) == value else str(value)


def user_traceback(exc):
    """The traceback without the runner's own frames."""
    tb = exc.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == RUNNER_FILE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def reset_output():
    sys.stdout, sys.stderr, sys.stdin = OUT, ERR, STDIN
    for stream, fd in ((OUT, 1), (ERR, 2)):
        stream.flush()
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)


def read_output(stream, fd, limit):
    try:
        stream.flush()
    except Exception:
        pass
    size = os.fstat(fd).st_size
    text = os.pread(fd, min(size, limit), 0).decode("utf-8", errors="replace")
    if size > limit:
        text += "\n...[truncated %d bytes]" % (size - limit)
    return text


def handle(request):
    call_id = request.get("id")
    reply = {"id": call_id}
    reset_output()
    try:
        value = run_code(request["code"], request.get("args") or {})
        reply["result"] = to_json(value)
        reply["ok"] = True
    except CallFailure as exc:
        reply["ok"] = False
        reply["error"] = {"type": exc.type_name, "message": str(exc), "traceback": ""}
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from user code fail the call, not the runner
        reply["ok"] = False
        reply["error"] = {"type": type(exc).__name__, "message": str(exc), "traceback": user_traceback(exc)}
    limit = int(request.get("capture_limit") or 1048576)
    reply["stdout"] = read_output(OUT, 1, limit)
    reply["stderr"] = read_output(ERR, 2, limit)
    return reply


def send(replies, message):
    replies.write(json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
    replies.flush()


def main():
    for fd in (REQUESTS_FD, REPLIES_FD):
        os.set_inheritable(fd, False)  # subprocesses of user code must not hold the protocol pipes
    # line buffering: print() output reaches the file at once, so it survives an os._exit() in the same call
    OUT.reconfigure(encoding="utf-8", errors="backslashreplace", line_buffering=True)
    ERR.reconfigure(encoding="utf-8", errors="backslashreplace")
    faulthandler.enable(file=ERR)
    requests = os.fdopen(REQUESTS_FD, "rb")
    replies = os.fdopen(REPLIES_FD, "wb")
    ready = {"ready": True, "pid": os.getpid(), "python": sys.version.split()[0], "executable": sys.executable}
    send(replies, ready)
    for line in requests:
        if not line.strip():
            continue
        reply = handle(json.loads(line))
        try:
            send(replies, reply)
        except (TypeError, ValueError) as exc:  # never expected: to_json already made the result JSON-safe
            error = {"type": type(exc).__name__, "message": "could not encode the reply: %s" % exc, "traceback": ""}
            send(replies, {"id": reply["id"], "ok": False, "error": error, "stdout": "", "stderr": ""})


if __name__ == "__main__":
    main()
