namespace wissen::store {}
