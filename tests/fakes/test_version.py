"""``fakevmss.__version__``: the version of the distribution that ships both packages."""

from __future__ import annotations

import subprocess
import sys

import aiovmss
import fakevmss


def test_fakevmss_has_the_same_version_as_aiovmss() -> None:
    assert "__version__" in fakevmss.__all__
    assert isinstance(fakevmss.__version__, str)
    assert fakevmss.__version__ == aiovmss.__version__


def test_reading_the_version_does_not_import_the_client() -> None:
    code = "import sys, fakevmss; print(fakevmss.__version__, 'aiovmss' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [aiovmss.__version__, "False"]
