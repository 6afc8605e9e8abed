"""The series' command-line tools, which no notebook reads: ``tone-series`` (run_series), ``tone-train`` (train),
``tone-report`` (report_cli) and its evaluation on several processes (distributed).

The lesson plumbing the notebooks import stays flat in ``tone_helpers``; these build on it and are never imported by it.
"""
