"""The desktop card helper: reads the IC card / IKey through PC/SC (pyscard) and serves a loopback HTTP API
to the site's pages. Stand-alone: the standard library and pyscard only (see README.md in this folder)."""
