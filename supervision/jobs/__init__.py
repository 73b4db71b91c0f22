"""The entry point for scheduled work: every job, the runner that records each run, and the
administrators' page of runs. It may import any feature; no feature imports it."""
