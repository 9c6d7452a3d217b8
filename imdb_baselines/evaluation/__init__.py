"""Evaluation: metrics, intervals, significance, analysis, figures and the report of a comparison.

It reads the results a run produced (:mod:`imdb_baselines.run`) and imports neither
the engines nor the model files.
"""
