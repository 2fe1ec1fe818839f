"""Entry point of a sandboxed run: `python -S te_sandbox_boot.py key=value...`.

Python compiles the script it is given on every start; the work happens in an imported module,
which loads from its .pyc."""

import te_sandbox_supervisor

te_sandbox_supervisor.run()
