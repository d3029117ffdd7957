"""Benchmarks of casework against a no-op floor measured in the same run (issue 6). Run with `make bench`."""
