"""``python -m gis`` is the ``planlayers`` command."""

import sys

from gis.cli import main

sys.exit(main())
