"""Grading a class on nbgrader: `lossbook grade` (see cli.py), safe against student code."""
