"""Where a signature's request time goes: cProfile over N signatures (a GET of the form and a
POST each) through Django's WSGI handler in one process, on the benchmark's database, without
a server or worker. Prints the functions with the most cumulative time that are the platform's
own or its middleware's (issue 21, point 3; the top entries are recorded in bench/README.md).

    .venv/bin/python -m bench.profile_signing sqlite 500
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys

from bench import main as bench
from bench.inprocess import BLOCK, PATHS, _sign


def main() -> None:
    database = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    bench.setup_database(database)
    bench.statement("bench")
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    path = PATHS["signing"]
    for serial in range(BLOCK):  # warm up
        _sign(app, path, serial)
    profile = cProfile.Profile()
    profile.enable()
    for serial in range(BLOCK, BLOCK + count):
        _sign(app, path, serial)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(r"(undersigned|middleware|csrf|sessions|locale|template|axes|otp)", 40)
    print(f"{database}, {count} signatures (GET + POST each), cumulative seconds:")
    print(out.getvalue())


if __name__ == "__main__":
    main()
