from dataops_diff.cli import main

raise SystemExit(main())
