"""Bidder lists: read a procurement officer's file (CSV, XLSX, JSON lines), screen every row
with the screening service's own rules, and write a report for the tender file.

One module for the command line (``debarlist screen``, over HTTP) and the console (in process):
``reading`` turns a file into numbered rows, ``run`` screens them in batches through any
``BatchScreener`` (resumable from a state file), ``report`` writes CSV, XLSX or JSON.
"""
