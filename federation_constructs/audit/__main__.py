"""`python -m federation_constructs.audit`."""

import sys

from federation_constructs.audit import main

sys.exit(main())
