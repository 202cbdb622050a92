"""The shape DESIGN.md promises: layers import one way, lib is grouped by area, modules stay small."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "lib"
TOP_LEVEL_HELPERS = {"clock", "errors", "events", "exclusive", "runtime", "secretbox", "tasks"}
AREAS_WITH_ACTIONS = ("accounts", "billing", "vpn", "vps", "admin", "broadcast")
MAX_LINES = 210


def python_files(*folders):
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py")
                  if "__pycache__" not in path.parts)


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint_imports), "--no-cache", "--no-logo", str(ROOT / ".importlinter")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"import-linter says:\n{done.stdout}\n{done.stderr}"
    assert "0 broken" in done.stdout and "KEPT" in done.stdout


def test_every_module_of_lib_sits_in_an_area_except_the_small_helpers():
    loose = {path.stem for path in LIB.glob("*.py")} - {"__init__"}
    assert loose <= TOP_LEVEL_HELPERS, f"modules outside an area: {sorted(loose - TOP_LEVEL_HELPERS)}"
    folders = {path.parent for path in python_files("lib")} - {LIB}
    not_packages = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").is_file())
    assert not not_packages, f"folders of lib that are no package: {not_packages}"


def test_no_module_grows_past_the_size_a_reader_takes_in():
    too_long = {str(path.relative_to(ROOT)): lines for path in python_files("lib", "functions", "jobs")
                if (lines := len(path.read_text().splitlines())) > MAX_LINES}
    assert not too_long, f"longer than {MAX_LINES} lines, split them: {too_long}"


def test_each_area_a_user_acts_in_has_its_use_cases_in_actions_py():
    missing = [area for area in AREAS_WITH_ACTIONS if not (LIB / area / "actions.py").is_file()]
    assert not missing, f"areas without actions.py: {missing}"


def test_only_lib_config_reads_the_environment():
    readers = []
    for path in python_files("lib", "functions", "jobs"):
        if path.is_relative_to(LIB / "config"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") and \
                    getattr(node.value, "id", "") == "os":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not readers, f"reading os.environ outside lib/config: {readers}"
