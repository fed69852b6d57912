"""The terminal edge: `taskerino-storage` (and `python -m taskerino_storage`) on Taskerino's
desktop data folder. cli.py parses and runs a command; output.py prints (the console's lines
come from migration/report.py, their one home)."""
