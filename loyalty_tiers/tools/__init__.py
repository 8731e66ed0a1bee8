from . import points_math
