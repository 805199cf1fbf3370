#!/usr/bin/env python3
"""Runs measure.py in a local virtualenv with the libraries smoothc is compared with.

    python3 benches/compare/run.py [--quick] [--out FILE]

On its first run it creates benches/compare/.venv (python3 -m venv) and
installs requirements.txt, then torchsort (a C++ extension built against the
installed torch, so without pip's build isolation). A torchsort that does not
build is recorded in the results as not measured, with pip's last error line.
The arguments go on to measure.py, which says what it times.
The script is not part of CI.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
VENV_PYTHON = VENV / "bin" / "python"


def ensure_venv():
    """Creates the virtualenv and installs the packages; returns install notes."""
    notes = {}
    if not VENV_PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["-r", str(HERE / "requirements.txt")], check=True)
    torchsort = subprocess.run(
        pip + ["--no-build-isolation", "torchsort==0.1.10"], capture_output=True, text=True
    )
    if torchsort.returncode != 0:
        lines = (torchsort.stderr or torchsort.stdout).strip().splitlines()
        notes["torchsort"] = "not installed: " + (lines[-1] if lines else "pip failed")
    return notes


def main():
    notes = ensure_venv()
    env = dict(os.environ, SMOOTHC_COMPARE_NOTES=json.dumps(notes))
    command = [str(VENV_PYTHON), str(HERE / "measure.py"), *sys.argv[1:]]
    sys.exit(subprocess.run(command, env=env).returncode)


if __name__ == "__main__":
    main()
