"""Runs every check, prints one line each (✓ fine, ✗ broken, – off or not checked), sets the exit code."""
import sys

MARKS = {True: "✓", False: "✗", None: "–"}


def doctor_checks(settings) -> list:
    """Every check for these settings, in the order an operator would fix things."""
    from lib.doctor import payments, proxmox, stores, telegram, wireguard
    results = []
    for section in (stores, telegram, payments, wireguard, proxmox):
        results += section.checks(settings)
    return results


def print_report(results, out=None) -> int:
    """Print the results; 0 when nothing is broken, 1 otherwise."""
    out = out or sys.stdout
    width = max((len(name) for name, _, _ in results), default=0)
    for name, ok, sentence in results:
        print(f"{MARKS[ok]} {name.ljust(width)}  {sentence}", file=out)
    broken = sum(1 for _, ok, _ in results if ok is False)
    if broken:
        print(f"\n{broken} problem{'s' if broken > 1 else ''} found: fix the ✗ lines above and run the doctor again.",
              file=out)
    else:
        print("\nAll required checks pass.", file=out)
    return 1 if broken else 0


def run_doctor(settings, out=None) -> int:
    return print_report(doctor_checks(settings), out)
