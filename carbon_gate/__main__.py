from __future__ import annotations

from carbon_gate.cli.main import main

raise SystemExit(main())
