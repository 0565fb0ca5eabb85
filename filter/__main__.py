"""`python -m filter` runs the promo-filter command."""
from .cli import main

main()
