"""Media handling for asset holders: sniffing, image/PDF/video renditions, previews, edits and ZIP bundles."""
