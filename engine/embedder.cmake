target_sources(wissen_engine PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/builtin_embedder.cpp)
target_sources(wissen_engine_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/builtin_embedder_test.cpp)
