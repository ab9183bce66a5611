"""The fake's page (``GET /_fake/ui``) and standalone timeline file: view model and rendering.

``_lanes`` turns VM histories into timeline bars and marks, ``_view`` builds the page's JSON,
``_html`` writes the standalone HTML file, ``static/`` holds the page itself (docs/fake/ui.md).
"""
