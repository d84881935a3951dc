"""The operations guide works as written: every shell block of docs/operations.md that can run on
one machine runs, in order and in one shell session (as a reader's terminal would), in a scratch
folder holding a copy of sites.yaml and the project's virtualenv. A block that needs the
production hosts says so on its first line and is only checked to say why."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from bench.servers import free_port
from consent_gateway.settings import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "operations.md"
NOT_HERE = "# not on one machine:"
MARK = "@@block"


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


def test_every_shell_block_that_can_run_on_one_machine_runs(tmp_path: Path) -> None:
    blocks = shell_blocks(GUIDE.read_text(encoding="utf-8"))
    runnable = [b for b in blocks if not b.startswith(NOT_HERE)]
    skipped = [b for b in blocks if b.startswith(NOT_HERE)]
    assert len(runnable) >= 8, "the guide's runnable blocks went missing"
    for block in skipped:
        assert len(block.splitlines()[0]) > len(NOT_HERE) + 10, f"say why it cannot run here:\n{block}"
    shutil.copy(PROJECT_ROOT / "sites.yaml", tmp_path / "sites.yaml")
    (tmp_path / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    script = "set -euo pipefail\n" + "".join(
        f"echo '{MARK} {i}' >&2\n{block}\n" for i, block in enumerate(runnable))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONSENT_GATEWAY_", "VIRTUAL_ENV"))}
    env.update(PORT=str(free_port()), HOME=str(tmp_path))
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    reached = [int(n) for n in re.findall(rf"^{MARK} (\d+)$", done.stderr, flags=re.M)]
    failed = runnable[reached[-1]] if reached else runnable[0]
    assert done.returncode == 0, (f"this block failed:\n{failed}\n--- stdout\n{done.stdout}\n"
                                  f"--- stderr\n{done.stderr}")
    assert reached == list(range(len(runnable)))
    assert "ledger intact" in done.stdout
    assert "every sealed event is there" in done.stdout
    assert "gateway_http_requests_total" in done.stdout
