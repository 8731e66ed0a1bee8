from . import clv_math, points_math
