"""The benchmark suite of issue 4: `python -m bench.run [--smoke]` (or `make bench`).

Every figure is a ratio against a baseline measured in the same run (these machines are noisy);
bench/RESULTS.md records the last full run. Nothing here is imported by the application.
"""
