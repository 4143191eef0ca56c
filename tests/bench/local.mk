# tests/bench/: `make bench` (never part of `make check`).
bench:
	@echo "make bench: not built yet (issue 7)"; exit 1
