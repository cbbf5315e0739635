"""The checks `make lint` runs on the code's shape: the module-size check finds what it should."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_module_size.py"


def size_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_module_size", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_lines(path: Path, n: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n" * n, encoding="utf-8")


def test_the_size_check_names_long_modules_and_skips_migrations(tmp_path: Path) -> None:
    write_lines(tmp_path / "app" / "long.py", 601)
    write_lines(tmp_path / "app" / "short.py", 600)
    write_lines(tmp_path / "app" / "feature" / "services.py", 700)
    write_lines(tmp_path / "app" / "migrations" / "0002_data.py", 5000)
    found = size_check().oversized(["app"], 600, root=tmp_path)
    assert found == [("app/feature/services.py", 700), ("app/long.py", 601)]


def test_the_size_check_fails_only_when_a_module_is_too_long(capsys: pytest.CaptureFixture[str]) -> None:
    module = size_check()
    assert module.main(["--max", "100000", "fuyuan", "members", "stats"]) == 0
    assert module.main(["--max", "10", "stats"]) == 1
    assert "stats/figures.py" in capsys.readouterr().out
