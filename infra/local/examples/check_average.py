"""Reproduction: the averages must print, rounded to cents, without an exception."""
import contextlib
import io

captured = io.StringIO()
with contextlib.redirect_stdout(captured):
    import average  # noqa: F401  (running the module prints the report)

lines = captured.getvalue().splitlines()
assert lines == ["ada: 16.67", "grace: 50.00"], lines
print("averages OK")
