"""The report: the decision and the estimate as Markdown, text and JSON."""
