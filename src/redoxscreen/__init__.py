"""redoxscreen: ML screening of organic redox-active molecules for batteries."""
__version__ = "0.1.0"
