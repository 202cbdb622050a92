"""What every doctor check shares: running one safely, and the sentence for a part that is off."""
from lib.config import feature_report


def off_sentence(settings, part: str) -> str:
    """The feature report's line for a part that is off: which variable turns it on."""
    line = next((l for l in feature_report(settings) if l.startswith(part + ":")), f"{part}: off")
    sentence = line.split(": ", 1)[1]
    return sentence[:1].upper() + sentence[1:] + "."


def guarded(name, check, *args):
    """(name, ok, sentence) from one check; a check that crashes is reported, not raised."""
    try:
        ok, sentence = check(*args)
    except Exception as exc:  # the doctor must finish and say what it could not check
        ok, sentence = False, f"The check itself failed ({type(exc).__name__}: {str(exc)[:200]})."
    return name, ok, sentence
