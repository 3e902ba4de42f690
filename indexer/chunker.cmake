target_sources(wissen_indexer PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/chunker.cpp)
