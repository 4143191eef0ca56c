# tests/fuzz/: libFuzzer targets (--enable-fuzzing) and `make fuzz-smoke`.
fuzz-smoke:
	@echo "make fuzz-smoke: not built yet (issue 8)"; exit 1
