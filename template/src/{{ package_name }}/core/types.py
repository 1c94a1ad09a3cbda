"""Array types shared by every package, so a shape comment means the same everywhere.

Read next: ../data/schema.py, the data contract.
"""

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]  # features, probabilities, losses: float64 throughout
Labels = NDArray[np.int8]  # 0/1 targets as stored on disk
Mask = NDArray[np.bool_]  # decisions (offer or not), selections of rows
