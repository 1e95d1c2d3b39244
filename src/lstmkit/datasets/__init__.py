"""Small public datasets bundled with lstmkit, loaded without a network.

Sources and licences are listed in ``SOURCES.md`` beside the files.
"""

from lstmkit.datasets._airline import airline_passengers
from lstmkit.datasets._alice import alice_in_wonderland
from lstmkit.datasets._co2 import co2_weekly
from lstmkit.datasets._macro import us_macro

__all__ = ["airline_passengers", "alice_in_wonderland", "co2_weekly", "us_macro"]
