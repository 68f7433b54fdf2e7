"""The media family: Run Converters, Generate Missing Previews, Clean Media Holders, Bulk Download
and the Image and Video Editing Tools' downloads, on the
Flask-free media library beside them (sniff, imaging, pdfrender, previews, video, transcode)."""
from __future__ import annotations


def register() -> None:
    from bgjobs.jobtypes.media import (bulk_download, clean_media_holders, generate_missing_previews,
                                       image_edit_download, run_converters, video_edit_download)

    for module in (run_converters, generate_missing_previews, clean_media_holders, bulk_download,
                   image_edit_download, video_edit_download):
        module.register()
