"""The report: what a person reads. Values in, text out; the one thing read is a template.

Takes the decision and both sides as the gate judged them (or an estimate, or a measurement, or
the default branch's history); gives Markdown (a sandboxed Jinja2 template, every untrusted string
escaped), plain text, and the history's HTML page and SVG badge.

    pr_report          the pull-request report: Markdown and text
    merged             a matrix's legs in one report: the worst leg's verdict, a table per leg
    decision_view      its headline and table
    estimate_view      its life cycle, assumptions and grids
    measurement_view   its account of what each side measured
    chart              its mermaid pie of the life cycle
    trend              its sparklines of the default branch's recent runs, beside the head
    render_estimate    `estimate`'s table and Markdown
    render_measurement  `measure`'s account of a measurement
    dashboard          the history's static HTML page: charts per budget file, and every run
    history_chart      its SVG charts: a stage's CO2eq over the runs, hardware changes marked
    badge              the history's badge: the latest life-cycle CO2eq and its trend (SVG, JSON)
    templates          the Jinja2 environment, and the Markdown escaper
"""
