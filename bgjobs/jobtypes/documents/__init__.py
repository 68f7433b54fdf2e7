"""Document jobs: PDF merges and the Creative Automation Print Studio (import inputs, generate
outputs, merge a print file), built on the Flask-free library beside them (pdf, fields, impose,
filename, samples)."""
from __future__ import annotations


def register() -> None:
    from bgjobs.jobtypes.documents import cas_generate_outputs, cas_import_inputs, cas_merge_pdf, merge_pdf_inline

    for module in (cas_import_inputs, merge_pdf_inline, cas_merge_pdf, cas_generate_outputs):
        module.register()
