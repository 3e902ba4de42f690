namespace wissen::indexer {}
