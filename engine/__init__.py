"""lianban: a declarative workflow engine for 一事联办 joint items."""
__version__ = "0.1.0"
