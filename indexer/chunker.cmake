target_sources(wissen_indexer PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/chunker.cpp)
target_sources(wissen_indexer_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/chunker_test.cpp)
