target_sources(wissen_crawler PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/parse_document.cpp)
