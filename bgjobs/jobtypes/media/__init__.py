"""The media family: Run Converters, Generate Missing Previews and Clean Media Holders, on the
Flask-free media library beside them (sniff, imaging, pdfrender, previews, video, transcode)."""
from __future__ import annotations


def register() -> None:
    from bgjobs.jobtypes.media import clean_media_holders, generate_missing_previews, run_converters

    run_converters.register()
    generate_missing_previews.register()
    clean_media_holders.register()
