"""Past sessions read back from their folders: the library listing, the joined recording, the reports."""
