"""The static HTML site: pages from templates, SVG pictures, calendar dates, and publishing into a folder."""
