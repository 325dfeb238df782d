"""Process plumbing: logging, the qasync loop and its shutdown, Qt's messages, library versions."""
