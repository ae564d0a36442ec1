"""Everything the bot says passes through here on its way out (compliance rules 5, 9, 15)."""
