"""The report: what a person reads. Values in, text out; the one thing read is a template.

Takes the decision and both sides as the gate judged them (or an estimate, or a measurement);
gives Markdown (a sandboxed Jinja2 template, every untrusted string escaped) and plain text.

    pr_report          the pull-request report: Markdown and text
    decision_view      its headline and table
    estimate_view      its life cycle, assumptions and grids
    measurement_view   its account of what each side measured
    chart              its mermaid pie of the life cycle
    render_estimate    `estimate`'s table and Markdown
    render_measurement  `measure`'s account of a measurement
    templates          the Jinja2 environment, and the Markdown escaper
"""
