"""In CI nothing that the suite can test may be skipped for want of a tool: the project's own
setup (``make test`` -> scripts/install-*.sh) installs Chromium and Java on a fresh machine."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("CI"), reason="checks CI's machine only")


def test_chromium_is_installed_for_the_browser_test() -> None:
    assert shutil.which("chromium") or shutil.which("chromium-browser")


def test_java_and_pyspark_are_installed_for_the_spark_engine_tests() -> None:
    assert shutil.which("java") or os.environ.get("JAVA_HOME")
    assert importlib.util.find_spec("pyspark") is not None
