#!/usr/bin/env python3
"""pty_dialog.py [--expect TEXT | --send LINE]... -- CMD [ARGS...]

Runs CMD on a new pseudo-terminal and holds a dialogue with it, in order: --expect waits
(at most 20 s) until TEXT has appeared in what CMD printed since the last expectation,
--send types LINE and Enter. Each line is sent only once its prompt is on the screen, so a
prompt that turns echo off is in place before the answer arrives. Afterwards prints the
whole transcript (what the terminal showed) and exits with CMD's exit status (124 when an
expectation timed out or CMD did not end within 20 s of the last step; CMD is killed then).
"""
import os
import pty
import select
import signal
import sys
import time


def give_up(pid, seen, why):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace"))
    print(f"\npty_dialog: {why}", file=sys.stderr)
    sys.exit(124)


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    steps, cmd = argv[:cut], argv[cut + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    seen = b""
    mark = 0

    def pump(deadline):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
        if not r:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child has gone
            return None
        if not data:
            return None
        seen += data
        return True

    i = 0
    while i < len(steps):
        kind, arg = steps[i], steps[i + 1].encode()
        i += 2
        if kind == "--expect":
            deadline = time.time() + 20
            while arg not in seen[mark:]:
                got = pump(deadline)
                if not got:
                    give_up(pid, seen, f"gave up waiting for {arg!r}")
            mark = seen.index(arg, mark) + len(arg)
        elif kind == "--send":
            os.write(fd, arg + b"\r")
        else:
            sys.exit(__doc__)
    deadline = time.time() + 20
    while pump(deadline):
        pass
    while True:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() >= deadline:
            give_up(pid, seen, "the command did not end")
        time.sleep(0.05)
    status = os.waitstatus_to_exitcode(st)
    sys.stdout.write(seen.decode(errors="replace"))
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main(sys.argv[1:])
