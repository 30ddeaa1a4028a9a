from __future__ import annotations

from carbon_gate.cli import main

raise SystemExit(main())
