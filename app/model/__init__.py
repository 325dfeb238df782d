"""Plain data and pure rules, no Qt and no I/O: wire models per protocol version, session events,
timeline, view state, URL rules."""
