# The README's two commands: `make demo` and `make test`. Both create .venv and install on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := node_modules/.package-lock.json

.PHONY: install demo test bench lint system-packages

# pyscard (the card helper's PC/SC binding) builds from source: system-packages brings gcc and libpcsclite-dev
# first (order-only: a run of system-packages does not force a reinstall).
$(STAMP): pyproject.toml | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Front-end packages (WeUI) from the npm registry, exactly as locked.
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Debian packages the browser tests need: Chromium, driven by Playwright (never `playwright install`),
# and a CJK font (without one Chinese renders as empty boxes). Printed declarations (WeasyPrint) need pango
# and the same CJK font, which the PDF embeds. Installed as root when missing; otherwise say so.
# The card tests need pcscd + vsmartcard-vpcd (virtual readers); pyscard's build needs gcc, libpcsclite-dev and
# Python's headers (python3-dev).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi wqy || missing="$$missing fonts-wqy-microhei"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpangoft2-1.0-0"; \
	test -x /usr/sbin/pcscd || missing="$$missing pcscd"; \
	test -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so || missing="$$missing vsmartcard-vpcd"; \
	test -e /usr/include/PCSC/winscard.h || missing="$$missing libpcsclite-dev"; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing gcc"; \
	$(PYTHON) -c "import sysconfig,os,sys; sys.exit(not os.path.exists(sysconfig.get_paths()['include']+'/Python.h'))" \
		2>/dev/null || missing="$$missing python3-dev"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "Missing Debian packages:$$missing (needed by the browser and card tests, which are skipped without them"; \
		echo "and fail under CI=true). Install them as root: apt-get install --no-install-recommends$$missing"; \
	fi

install: $(STAMP) $(ASSETS)

demo: system-packages $(STAMP) $(ASSETS)
	$(BIN)/qingling demo

test: system-packages $(STAMP) $(ASSETS)
	$(BIN)/pytest

bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/autoclose.py
	$(BIN)/python bench/callback.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/permissions.py
	$(BIN)/python bench/messages.py
	$(BIN)/python bench/library_import.py
	$(BIN)/python bench/library_query.py
	$(BIN)/python bench/declaration_save.py
	$(BIN)/python bench/declaration_pdf.py
	$(BIN)/python bench/declaration_review.py
	$(BIN)/python bench/declaration_import.py
	$(BIN)/python bench/declaration_query.py
	$(BIN)/python bench/declaration_sync.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
