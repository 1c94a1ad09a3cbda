"""Efficiency from the prediction log: latency percentiles and throughput per window.

Latency is each logged prediction's latency_ms; under rate or reservoir sampling the
logged rows are a uniform sample, so the percentiles estimate those of all predictions
(uncertainty sampling picks rows by score, which latency does not depend on in this
model). Throughput counts every prediction, logged or not: the logger's `seq` grows by
one per prediction, so a window saw (last seq - first seq + 1) predictions at least.
Assumes one logging process; with several, run it per process's log folder.

Read next: shadow.py.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..core.config import MonitoringParams


def efficiency_report(
    records: Iterable[Mapping[str, Any]], params: MonitoringParams
) -> list[dict[str, Any]]:
    """Per window of window_minutes: predictions, errors, throughput and latency percentiles."""
    width = 60 * params.window_minutes
    windows: dict[int, list[Mapping[str, Any]]] = {}
    for record in records:
        windows.setdefault(int(record["t"] // width), []).append(record)
    report = []
    for index, rows in sorted(windows.items()):
        seqs = [int(r["seq"]) for r in rows]
        latency = np.array([r["latency_ms"] for r in rows if "latency_ms" in r], dtype=float)
        p50, p95, p99 = np.percentile(latency, [50, 95, 99]) if len(latency) else (np.nan,) * 3
        seen = max(seqs) - min(seqs) + 1
        report.append(
            {
                "start": datetime.fromtimestamp(index * width, UTC).isoformat(timespec="seconds"),
                "logged": len(rows),
                "errors": sum(1 for r in rows if "error" in r),
                "predictions": seen,
                "throughput_per_s": seen / width,
                "latency_ms_p50": float(p50),
                "latency_ms_p95": float(p95),
                "latency_ms_p99": float(p99),
            }
        )
    return report
