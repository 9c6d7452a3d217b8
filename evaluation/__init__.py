"""Evaluation: metrics, intervals, significance, figures and reports of a comparison."""
