"""What a visitor opens: the banner's script and configuration, the privacy centre, receipt pages,
rights requests, the hosted forms and the demo page."""
