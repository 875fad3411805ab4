"""`python -m federation_constructs.verify`: the `federation-verify` command."""

import sys

from federation_constructs.verify.cli import main

sys.exit(main())
