"""Demo data: deterministic, Taskerino-realistic legacy sessions (`samples`), for the demo
fill (browser/service.py fillDemo), benchmarks and tests."""
