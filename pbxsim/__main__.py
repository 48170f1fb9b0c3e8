"""Runs the simulator: `python -m pbxsim --help`."""

from pbxsim.cli import main

raise SystemExit(main())
