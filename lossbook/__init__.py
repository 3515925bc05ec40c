"""lossbook: the small helper package of the Korean loss-function course.

It holds what many chapters share (data generators, plotting defaults, a training
loop, notebook/grading utilities) and never a graded answer.
"""

__version__ = "0.1.0"
