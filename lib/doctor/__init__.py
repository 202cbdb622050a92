"""`python local_runner.py doctor`: checks of the live setup, each saying in plain words what is wrong.

Every check returns (ok, sentence): ok is True (fine), False (broken: the exit code says so) or
None (that part is off, or could not be checked because something it needs is broken).
"""
from lib.doctor.report import doctor_checks, print_report, run_doctor

__all__ = ["doctor_checks", "print_report", "run_doctor"]
