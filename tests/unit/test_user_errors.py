"""A refusal names a text the user can read: every UserError a use case raises has its text in both languages."""
import ast
import string
from pathlib import Path

import pytest

from lib.errors import UserError
from lib.texts import LANGUAGES, t

ROOT = Path(__file__).resolve().parents[2]


def test_a_refusal_carries_a_code_a_text_key_and_the_texts_parameters():
    refused = UserError("vps_busy_now", "vps_busy", server_id=5)
    assert (refused.code, refused.text_key, refused.params) == ("vps_busy_now", "vps_busy", {"server_id": 5})
    assert str(refused) == "vps_busy_now" and isinstance(refused, Exception)


def test_the_text_key_defaults_to_the_code():
    refused = UserError("not_found")
    assert (refused.code, refused.text_key, refused.params) == ("not_found", "not_found", {})


def constants(node) -> list:
    """The strings an argument can be: a literal, or either side of `a if cond else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return constants(node.body) + constants(node.orelse)
    raise AssertionError(f"line {node.lineno}: a UserError whose code or text key is not written out")


def raised_refusals():
    """(where, code, text key, parameter names) for each `UserError(...)` written in lib/."""
    found = []
    for path in sorted(ROOT.glob("lib/**/*.py")):
        for call in ast.walk(ast.parse(path.read_text())):
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "UserError":
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                keywords = {k.arg: k.value for k in call.keywords}
                key_node = call.args[1] if len(call.args) > 1 else keywords.pop("text_key", None)
                params = set(keywords)  # None stands for a `**spread` that may fill anything
                for code in constants(call.args[0]):
                    for key in constants(key_node) if key_node is not None else [code]:
                        found.append((where, code, key, params))
    return found


REFUSALS = raised_refusals()


def test_the_scan_finds_the_use_cases_refusals():
    places = {where.split(":")[0] for where, *_ in REFUSALS}
    assert {"lib/billing/checkout.py", "lib/vps/ssh_keys.py"} <= places
    assert {"lib/accounts/actions.py", "lib/vpn/actions.py", "lib/vps/actions.py", "lib/admin/actions.py",
            "lib/billing/actions.py", "lib/broadcast/actions.py"} <= places
    assert len(REFUSALS) > 40


@pytest.mark.parametrize("where, code, key, params", REFUSALS, ids=[f"{r[0]}-{r[2]}" for r in REFUSALS])
def test_every_refusal_has_its_text_in_both_languages_and_fills_it(where, code, key, params):
    for language in ("en", "ru"):
        assert key in LANGUAGES[language], f"{where}: {language} has no text {key!r}"
        needed = {name for _, name, _, _ in string.Formatter().parse(LANGUAGES[language][key]) if name}
        assert needed <= params or None in params, f"{where}: text {key!r} needs {sorted(needed - params)}, not passed"
        assert t(language, key, **{name: "1" for name in params if name})
