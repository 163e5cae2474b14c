"""Fixtures shared by every test module."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SEED_PATH = ROOT / "demo" / "000_ee6a87f177283e34.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED_PATH.read_bytes()
