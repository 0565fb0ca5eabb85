"""promo-filter: strip ads, teasers, calls to action and boilerplate from scraped articles.

>>> from filter import Cleaner
>>> article = (
...     "Ether slipped 2% on Tuesday after developers delayed the upgrade to March.\\n"
...     "The delay follows a bug found on a test network last week.\\n"
...     "Read more: Top 5 presales to buy now.."
... )
>>> print(Cleaner.load().clean(article))
Ether slipped 2% on Tuesday after developers delayed the upgrade to March.
The delay follows a bug found on a test network last week.
"""

__version__ = "0.1.0"

from .clean import Cleaner, LineResult, Options
from .labels import Label
from .store import ModelError

__all__ = ["Cleaner", "Label", "LineResult", "ModelError", "Options", "__version__"]
