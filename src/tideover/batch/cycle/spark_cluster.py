"""A Spark standalone cluster on this machine: one master and its workers, loopback only.

The ``pyspark`` package ships ``bin/spark-class`` (not the ``sbin`` start
scripts), so the master and each worker start as plain processes
(``org.apache.spark.deploy.master.Master`` and ``…worker.Worker``), bound to
127.0.0.1.  :func:`standalone_cluster` starts them, waits until every worker has
registered with the master (its JSON status page), yields the master's URL and
stops every process it started when the block ends, however it ends.  The tests
and ``bench/spark_cluster_bench.py`` use it; a real cluster is started by its
own operators (docs/operations.md) and a session is pointed at its master with
:func:`cluster_session`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tideover.batch.cycle.spark import PANDAS_WARNING, SCORE_BATCH_ROWS, require_spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Cluster:
    """A running standalone cluster: its master URL and the processes started for it."""

    master_url: str
    status_url: str
    workers: int
    log_dir: Path
    pids: tuple[int, ...]  # the master's and the workers' processes (each its own group)


def spark_home() -> Path:
    """The installed ``pyspark`` package folder (it holds ``bin/spark-class`` and the jars)."""
    require_spark()
    import pyspark

    return Path(pyspark.__file__).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SPARK_HOME"] = str(home)
    env["SPARK_LOCAL_IP"] = LOOPBACK  # every Spark process binds to loopback only
    env["PYSPARK_PYTHON"] = sys.executable  # executors run this interpreter (it has Tideover)
    env.setdefault("SPARK_NO_DAEMONIZE", "1")
    return env


@contextlib.contextmanager
def standalone_cluster(
    *,
    workers: int = 2,
    cores: int = 1,
    memory: str = "1g",
    timeout: float = 120.0,
) -> Iterator[Cluster]:
    """A master and ``workers`` workers of ``cores`` cores and ``memory`` each, for the block.

    Every process is started in its own process group and that group is ended when
    the block exits (normally, by an exception or by a failed start), so no JVM
    outlives it.  Logs go to a temporary folder, named in the error when the cluster
    does not come up in ``timeout`` seconds.
    """
    home = spark_home()
    env = _environment(home)
    spark_class = str(home / "bin" / "spark-class")
    port, ui = _free_port(), _free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="tideover-spark-cluster-"))
    master_url = f"spark://{LOOPBACK}:{port}"
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            _start(
                [
                    spark_class,
                    "org.apache.spark.deploy.master.Master",
                    *("--host", LOOPBACK, "--port", str(port), "--webui-port", str(ui)),
                ],
                env,
                log_dir / "master.log",
            )
        )
        for n in range(workers):
            started.append(
                _start(
                    [
                        spark_class,
                        "org.apache.spark.deploy.worker.Worker",
                        master_url,
                        *("--host", LOOPBACK, "--cores", str(cores), "--memory", memory),
                        *("--webui-port", str(_free_port())),
                        *("--work-dir", str(log_dir / f"work-{n}")),
                    ],
                    env,
                    log_dir / f"worker-{n}.log",
                )
            )
        status = f"http://{LOOPBACK}:{ui}/json/"
        _wait_for_workers(status, workers, started, timeout, log_dir)
        yield Cluster(master_url, status, workers, log_dir, tuple(p.pid for p in started))
    finally:
        for process in reversed(started):
            _stop(process)


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with everything it forks
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the process's group (the JVM and any executor it forked): TERM, then KILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _wait_for_workers(
    status: str,
    wanted: int,
    started: list[subprocess.Popen[bytes]],
    timeout: float,
    log_dir: Path,
) -> None:
    deadline = time.monotonic() + timeout
    alive = 0
    while time.monotonic() < deadline:
        dead = [p for p in started if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a Spark process exited at start; logs in {log_dir}")
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(status, timeout=2) as answer:  # loopback only
                alive = int(json.load(answer).get("aliveworkers", 0))
            if alive >= wanted:
                return
        time.sleep(0.5)
    raise RuntimeError(
        f"the Spark cluster did not come up in {timeout:.0f} s ({alive} of {wanted} workers); "
        f"logs in {log_dir}"
    )


def cluster_session(
    master_url: str,
    *,
    executor_cores: int = 1,
    executor_memory: str = "1g",
    driver_memory: str = "1g",
    shuffle_partitions: int | None = None,
) -> SparkSession:
    """A session whose executors run on the cluster at ``master_url`` (the driver is here)."""
    from pyspark.sql import SparkSession

    require_spark()
    os.environ.setdefault("SPARK_LOCAL_IP", LOOPBACK)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master_url)
        .appName("tideover-cycle")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", LOOPBACK)
        .config("spark.driver.host", LOOPBACK)
        .config("spark.driver.memory", driver_memory)
        .config("spark.executor.cores", str(executor_cores))
        .config("spark.executor.memory", executor_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "tideover-spark"))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(SCORE_BATCH_ROWS))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.executorEnv.PYSPARK_PYTHON", sys.executable)
    )
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", PANDAS_WARNING, FutureWarning)
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
