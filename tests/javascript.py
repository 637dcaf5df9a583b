"""Checks every script we ship gets: no HTML parsing sinks in its sources, valid JavaScript."""
import shutil
import subprocess

import pytest

HTML_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")


def assert_no_html_sinks(text: str, name: str) -> None:
    for sink in HTML_SINKS:
        assert sink not in text, f"{name} uses {sink}"


def assert_valid_javascript(body: bytes, name: str) -> None:
    """``node --check`` on the built bytes (skipped where Node.js is not installed)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"node is not installed: cannot run `node --check` on {name}")
    result = subprocess.run([node, "--check", "-"], input=body, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
