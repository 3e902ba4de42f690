namespace wissen::server {}
