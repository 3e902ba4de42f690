namespace wissen::engine {}
