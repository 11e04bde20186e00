"""``python -m course_utils.gpt ...`` (see :mod:`course_utils.gpt.cli`)."""

import sys

from .cli import main

sys.exit(main())
