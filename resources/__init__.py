"""Icons, stylesheet and sample media made by our own scripts."""
