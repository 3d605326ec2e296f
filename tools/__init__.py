"""Course-building scripts: headers, release, book pages, workspace. Run with `python -m tools.<name>`."""
