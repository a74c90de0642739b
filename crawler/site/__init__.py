"""What knows the NTD site: addresses, dates and time zones, credit lines, the article and
listing selectors, body HTML to Markdown. Pure functions and loaders, no I/O."""
