"""The README's first command end to end: scripts/demo --once walks through a real local cluster."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_walkthrough_runs_and_reports_real_hits() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo"), "--once"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "zcache; hit; detail=memory" in out and "zcache; fwd=miss" in out
    # The zatabase CLI of both packages against the cluster.
    assert "$ zatabase cache status    (python package)" in out and "online nodes        3" in out
    assert "$ zatabase cache nodes    (node package)" in out and "3 nodes" in out
    assert "hit ratio" in out and "total hits" in out
    # Seed 000's client examples, Python then Node: the first purge of images/ takes the 9 objects.
    assert "'objects_purged': 9" in out and "'nodes_affected': 3" in out
    assert '"objects_purged":0' in out
    assert "Deregistered node node_" in out
    assert "python  after ttl (300 s)            cache=stale" in out
    assert "node    after ttl (300 s)            cache=stale" in out
