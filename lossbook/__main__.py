"""`python -m lossbook grade ...` (same as the `lossbook` command)."""
import sys

from lossbook.grading.cli import main

sys.exit(main())
