"""Layer 0: run folders, JSON records, versions, the progress protocol, the registry mechanism
and user-facing errors. Knows no science; every other package may import it."""
