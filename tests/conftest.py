"""Root of the test tree: pytest rewrites the asserts of the shared support modules too."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("signature_support")
