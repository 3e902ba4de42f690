# PDF, HTML and text parsers with their tests. Included from crawler/CMakeLists.txt.
target_sources(wissen_crawler PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/charset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/content_kind.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/html_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/parse_document.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/parser_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pdf_layout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pdf_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/text_parser.cpp
)
target_sources(wissen_crawler_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/content_kind_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/html_parser_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pdf_layout_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pdf_parser_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/text_parser_test.cpp
)
