"""Evaluation: metrics, intervals, significance, figures and reports of a comparison.

``evaluation.compare(...)`` runs the comparison from Python on any labelled
texts and returns the leaderboard as a pandas DataFrame.
"""

from evaluation.leaderboard import compare, leaderboard

__all__ = ["compare", "leaderboard"]
