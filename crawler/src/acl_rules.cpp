namespace wissen::crawler {}
