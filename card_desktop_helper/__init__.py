"""The desktop card helper: reads the IC card / IKey through PC/SC (pyscard) and serves a loopback HTTP API
to the site's pages. Stand-alone: the standard library and pyscard only (see README.md in this folder)."""

# The one compiled dependency; the user installs it once with pip (the site's 读卡助手安装说明 page shows this).
PYSCARD_REQUIREMENT = "pyscard>=2.3.1,<3"
