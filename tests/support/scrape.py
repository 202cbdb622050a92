"""Reading what the shop exposes: Prometheus samples from /metrics, JSON log lines from a process."""
import json
import re

SAMPLE = re.compile(r"^([a-z_]+)(\{[^}]*\})? (\S+)$", re.M)


def samples(text: str) -> dict:
    """{'name{labels}': value} of a Prometheus text exposition."""
    return {f"{name}{labels or ''}": float(value) for name, labels, value in SAMPLE.findall(text)}


def json_log(output: str) -> list:
    lines = [line for line in output.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in parsed:
        assert {"time", "level", "logger", "message"} <= set(entry), entry
    return parsed


# ---- health and readiness ------------------------------------------------------------------
