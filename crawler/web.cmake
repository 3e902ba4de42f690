# The web source with its tests. Included from crawler/CMakeLists.txt.
target_sources(wissen_crawler PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/curl_fetcher.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/robots.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sitemap.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/url.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/web_crawler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/web_page.cpp
)
target_link_libraries(wissen_crawler PRIVATE CURL::libcurl ZLIB::ZLIB)
target_sources(wissen_crawler_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/robots_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sitemap_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/url_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/web_page_test.cpp
)
target_link_libraries(wissen_crawler_test PRIVATE ZLIB::ZLIB)
