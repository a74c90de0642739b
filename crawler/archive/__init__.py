"""What makes and guards the archive: safe paths, atomic files, the store, JSON records, the
article file and index pages, the one-run-at-a-time lock."""
