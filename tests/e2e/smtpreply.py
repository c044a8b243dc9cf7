"""Shared by the e2e scripts' Python parts (PYTHONPATH=tests/e2e, set by lib.sh)."""


def reply(f):
    """One whole SMTP reply from the file object f: its lines, the last one
    without '-' after the code (or an empty line at the end of input)."""
    lines = []
    while True:
        line = f.readline()
        lines.append(line)
        if not line or len(line) < 4 or line[3:4] != b"-":
            return lines
