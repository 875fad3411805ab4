"""`python -m federation_constructs.lint`: the same as the `federation-lint` command."""

import sys

from federation_constructs.lint.cli import main

sys.exit(main())
