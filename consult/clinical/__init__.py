"""The clinical core: questionnaire, contraindication screening, depth guidance, courses.

Plain dataclasses and pure functions driven by data files in `resources/` that a
clinic's medical lead can read and change without touching Python.
"""
