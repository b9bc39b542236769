"""Views of the annotations app; api.py serves the W3C Web Annotation Protocol."""
