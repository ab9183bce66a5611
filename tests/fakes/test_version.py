"""``fakevmss.__version__``: the version of the distribution that ships both packages."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

import aiovmss
import fakevmss
from fakevmss._version import read_version


def test_fakevmss_has_the_same_version_as_aiovmss() -> None:
    assert "__version__" in fakevmss.__all__
    assert isinstance(fakevmss.__version__, str)
    assert fakevmss.__version__ == aiovmss.__version__


def test_reading_the_version_does_not_import_the_client() -> None:
    code = "import sys, fakevmss; print(fakevmss.__version__, 'aiovmss' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [aiovmss.__version__, "False"]


def test_both_are_the_installed_distributions_version() -> None:
    assert fakevmss.__version__ == version("aiovmss")


def test_read_version_takes_the_assigned_string() -> None:
    assert read_version('"""Doc."""\n\nOTHER = 1\n__version__ = "2.3.4"\n') == "2.3.4"


@pytest.mark.parametrize("source", ["", "__version__ = 3\n", "version = '1.0'\n"])
def test_read_version_refuses_a_source_without_a_version_string(source: str) -> None:
    with pytest.raises(LookupError):
        read_version(source)
