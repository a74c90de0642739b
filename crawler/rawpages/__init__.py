"""The pages as the site sent them, kept in WARC files inside the archive (docs/raw-pages.md):
where they are and how they are written, read and repaired (warcfiles), the downloader
middleware that captures them (capture), and articles made again from them (reextraction)."""
