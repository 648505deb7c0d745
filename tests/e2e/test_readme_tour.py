"""README.md's "A short tour" runs as written, command by command, with the exit codes it states.

The shell block is read from the README itself, so the test follows the README when it
changes.  The block's own convention (stated in its first comment lines):

- ``\\`` at the end of a line continues the command on the next line;
- ``NAME=value`` alone on a line sets a variable, and ``$NAME`` / ``${NAME}`` in later
  commands is replaced by it (an unknown name fails the test);
- ``# ...`` starts a comment; ``# exit N`` in a command's comment, or on a comment-only
  line right below it, is the exit code that command must give — every other command
  must give 0;
- ``source .venv/bin/activate`` is the environment this test already runs in (the
  ``tideover`` next to this interpreter); every other command is a ``tideover`` command.

Each command runs as a subprocess of the installed ``tideover`` in a temporary directory
laid out like the repository's root (``src``, ``tests`` and ``examples`` linked in) with
``TIDEOVER_DATA_DIR`` at its own ``var``, so the README's paths (``var/models``,
``var/cache/taiwan/...``) land in the temporary directory.  A Spark command is skipped,
with the reason printed, only when PySpark or a Java runtime is missing (and then fails
under CI's ``TIDEOVER_REQUIRE_SPARK=1``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_users  # the tour adds its own users, as a reader would

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
LINKED = ("src", "tests", "examples")  # what the tour's relative paths read
COMMAND_TIMEOUT = 900  # seconds; the demo is the longest step

_EXIT = re.compile(r"(?:^|\s)#\s*exit\s+(\d+)\b")
_ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)=(\S*)")
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass(frozen=True)
class Step:
    line: int  # the README line the command starts on
    text: str  # the command as written, continuations joined
    argv: tuple[str, ...]
    exit_code: int = 0


def tour_block(markdown: str) -> tuple[int, list[str]]:
    """The first ``sh`` block after the "## A short tour" heading: its first line's number
    in the README and its lines."""
    lines = markdown.splitlines()
    heading = lines.index("## A short tour")
    start = next(i for i in range(heading, len(lines)) if lines[i].startswith("```"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    return start + 2, lines[start + 1 : end]


def parse_tour(first_line: int, lines: list[str]) -> list[Step]:
    """The block's commands in order (see the module's docstring for the convention)."""
    steps: list[Step] = []
    variables: dict[str, str] = {}
    ended = -1  # the README line the last command ended on
    index = 0
    while index < len(lines):
        number, text = first_line + index, lines[index].strip()
        index += 1
        while text.endswith("\\") and index < len(lines):
            text = text[:-1].rstrip() + " " + lines[index].strip()
            index += 1
        if text.startswith("#") and (found := _EXIT.search(text)):
            if number != ended + 1:
                raise ValueError(f"line {number}: '# exit' is not right below a command")
            last = steps[-1]
            steps[-1] = Step(last.line, last.text, last.argv, int(found.group(1)))
        if not text or text.startswith("#"):
            continue
        expanded = _VARIABLE.sub(lambda m: variables[m.group(1) or m.group(2)], text)
        argv = tuple(shlex.split(expanded, comments=True))
        if len(argv) == 1 and (assignment := _ASSIGNMENT.fullmatch(argv[0])):
            variables[assignment.group(1)] = assignment.group(2)
            continue
        found = _EXIT.search(text)
        steps.append(Step(number, text, argv, int(found.group(1)) if found else 0))
        ended = first_line + index - 1
    return steps


def test_the_convention_is_read_as_documented() -> None:
    lines = [
        "# a comment line",
        "source .venv/bin/activate   # set-up",
        "tideover one --x 1 \\",
        "    --y '*' \"two words\"   # exit 1: a reason",
        "",
        "P=some/where",
        "tideover two $P/a.yaml ${P}/b.yaml \\",
        "    --z 3",
        "                           # exit 2: on the line below",
        "tideover three   # exits 0 unless told: no exit code said here",
    ]
    steps = parse_tour(10, lines)
    assert [(s.line, s.argv, s.exit_code) for s in steps] == [
        (11, ("source", ".venv/bin/activate"), 0),
        (12, ("tideover", "one", "--x", "1", "--y", "*", "two words"), 1),
        (16, ("tideover", "two", "some/where/a.yaml", "some/where/b.yaml", "--z", "3"), 2),
        (19, ("tideover", "three"), 0),
    ]
    with pytest.raises(KeyError):
        parse_tour(1, ["tideover $UNSET"])
    with pytest.raises(ValueError, match="not right below"):
        parse_tour(1, ["tideover one", "", "# exit 1"])


def test_the_readme_has_a_tour_of_tideover_commands() -> None:
    steps = parse_tour(*tour_block(README.read_text(encoding="utf-8")))
    assert len(steps) > 30
    assert steps[0].argv[0] == "source"
    assert all(step.argv[0] == "tideover" for step in steps[1:])
    assert {step.exit_code for step in steps} == {0, 1}
    # Nothing in the tour is a placeholder left for the reader to fill in (like VERSION).
    placeholders = [a for s in steps for a in s.argv if re.fullmatch(r"[A-Z][A-Z_]{3,}", a)]
    assert placeholders == []


def test_a_spark_line_is_skipped_only_for_a_missing_runtime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TIDEOVER_REQUIRE_SPARK", raising=False)
    assert _why_no_spark({"PATH": str(ROOT / "no-such-folder")}) in (
        "no Java runtime on the PATH for Spark",
        "PySpark is not installed (the optional spark extra)",
    )
    monkeypatch.setenv("TIDEOVER_REQUIRE_SPARK", "1")
    with pytest.raises(pytest.fail.Exception, match="TIDEOVER_REQUIRE_SPARK=1"):
        _why_no_spark({"PATH": str(ROOT / "no-such-folder")})


def _tideover() -> list[str]:
    installed = Path(sys.executable).with_name("tideover")
    assert installed.exists(), f"tideover is not installed next to {sys.executable}"
    return [str(installed)]


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDEOVER_")}
    env["TIDEOVER_DATA_DIR"] = str(data_dir)
    env["TIDEOVER_LOCALE"] = "en"
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["COLUMNS"] = "120"
    return env


def _why_no_spark(env: dict[str, str]) -> str | None:
    """Why a Spark command cannot run here (None: it can); CI's TIDEOVER_REQUIRE_SPARK=1
    makes that a failure, as for the other Spark tests."""
    why = None
    if importlib.util.find_spec("pyspark") is None:
        why = "PySpark is not installed (the optional spark extra)"
    elif shutil.which("java", path=env["PATH"]) is None:
        why = "no Java runtime on the PATH for Spark"
    if why is not None and os.environ.get("TIDEOVER_REQUIRE_SPARK") == "1":
        pytest.fail(f"TIDEOVER_REQUIRE_SPARK=1 but {why}")
    return why


@pytest.mark.slow
def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    steps = parse_tour(*tour_block(README.read_text(encoding="utf-8")))
    for name in LINKED:
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    env = _environment(tmp_path / "var")
    no_spark = _why_no_spark(env)
    timings: list[tuple[float, Step]] = []
    started = time.perf_counter()
    for step in steps:
        if step.argv[0] == "source":
            continue  # this interpreter's environment is the one the README activates
        if "spark" in step.argv and no_spark is not None:
            print(f"README line {step.line} skipped: {no_spark}")
            continue
        began = time.perf_counter()
        done = subprocess.run(
            [*_tideover(), *step.argv[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        timings.append((time.perf_counter() - began, step))
        assert done.returncode == step.exit_code, (
            f"README line {step.line}: {step.text}\n"
            f"exit {done.returncode}, expected {step.exit_code}\n"
            f"stdout (end):\n{done.stdout[-3000:]}\nstderr (end):\n{done.stderr[-3000:]}"
        )
    total = time.perf_counter() - started
    print(f"the tour took {total:.0f} s; its slowest commands:")
    for seconds, step in sorted(timings, key=lambda t: -t[0])[:6]:
        print(f"  {seconds:6.1f} s  README line {step.line}: {step.text[:90]}")

    # What the tour says it leaves behind is there.
    assert (tmp_path / "var" / "kpis.png").stat().st_size > 0
    assert (tmp_path / "var" / "scores.parquet").stat().st_size > 0
    events = (tmp_path / "var" / "models" / "events.jsonl").read_text(encoding="utf-8")
    assert '"promoted"' in events
