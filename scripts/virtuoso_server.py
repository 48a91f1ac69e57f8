"""Start a throw-away Virtuoso (Debian's `virtuoso-opensource`) on free loopback ports, with
SPARQL Update allowed, for dipkg's remote-store contract tests:

    python scripts/virtuoso_server.py      # prints the store setting, serves until Ctrl-C

The database lives in a temporary directory and is removed on exit. Virtuoso's default graph is
the union of its graphs, as dipkg's queries expect; updates go to the same /sparql endpoint
once the anonymous SPARQL user may update (granted here: a test instance, never production).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SERVER = "virtuoso-t"
ISQL = "isql-vt"
VAD = "/usr/share/virtuoso-opensource-7/vad"


def available() -> bool:
    """Whether Virtuoso is installed (``apt-get install virtuoso-opensource``)."""
    return shutil.which(SERVER) is not None and shutil.which(ISQL) is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ini(directory: Path, sql_port: int, http_port: int) -> str:
    return f"""[Database]
DatabaseFile = {directory}/virtuoso.db
ErrorLogFile = {directory}/virtuoso.log
LockFile = {directory}/virtuoso.lck
TransactionFile = {directory}/virtuoso.trx
xa_persistent_file = {directory}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {directory}/virtuoso-temp.db
TransactionFile = {directory}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {directory}, {VAD}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 1G
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {directory}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
DefaultQuery = SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1
"""


@contextlib.contextmanager
def virtuoso() -> Iterator[str]:
    """A running Virtuoso; yields dipkg's ``store`` setting for it. Stopped on exit."""
    directory = Path(tempfile.mkdtemp(prefix="dipkg-virtuoso-"))
    sql_port, http_port = _free_port(), _free_port()
    (directory / "virtuoso.ini").write_text(_ini(directory, sql_port, http_port))
    log = (directory / "stdout.log").open("w")
    process = subprocess.Popen(
        [SERVER, "+foreground", "+configfile", str(directory / "virtuoso.ini")],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            done = subprocess.run(
                [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", "exec=status();"],
                capture_output=True,
                text=True,
            )
            if done.returncode == 0:
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(
                    f"Virtuoso did not start: {(directory / 'virtuoso.log').read_text()}"
                )
            time.sleep(0.5)
        grant = (
            'GRANT SPARQL_UPDATE TO "SPARQL"; '
            'GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL";'
        )
        subprocess.run(
            [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={grant}"],
            check=True,
            capture_output=True,
        )
        base = f"http://127.0.0.1:{http_port}"
        yield (
            f"query={base}/sparql;update={base}/sparql;store={base}/sparql-graph-crud;default=union"
        )
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


def main() -> int:
    if not available():
        print("Virtuoso is not installed: apt-get install virtuoso-opensource", file=sys.stderr)
        return 2
    with virtuoso() as store:
        print(store, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
