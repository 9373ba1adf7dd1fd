from attunecli.entry import main

raise SystemExit(main())
