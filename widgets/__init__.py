"""Qt widgets. They render state objects handed to them; they never touch sockets or codecs."""
