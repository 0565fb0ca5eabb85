"""promo-filter: strip ads, teasers, calls to action and boilerplate from scraped articles.

>>> from filter import Cleaner
>>> Cleaner.load().clean("Ether slipped 2% after the upgrade was delayed.\\nRead more: Top 5 presales to buy now..")
'Ether slipped 2% after the upgrade was delayed.'
"""

__version__ = "0.1.0"

from .clean import Cleaner, LineResult, Options
from .labels import Label
from .store import ModelError

__all__ = ["Cleaner", "Label", "LineResult", "ModelError", "Options", "__version__"]
