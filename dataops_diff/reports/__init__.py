"""Renderers: one per format, each a function of the Report (the terminal one takes a Console)."""

# Output formats: flag -> "module:function" rendering a Report to text. Imported on use, so that
# `dataops-diff --help` does not load jinja2.
RENDERERS: dict[str, str] = {
    "json": "dataops_diff.reports.json:render",
    "markdown": "dataops_diff.reports.markdown:render",
    "junit": "dataops_diff.reports.junit:render",
    "html": "dataops_diff.reports.html:render",
}
