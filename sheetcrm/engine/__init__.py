"""Pure functions over typed rows: no I/O, no clock; `today` is passed in."""
