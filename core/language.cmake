target_sources(wissen_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/language.cpp)
target_sources(wissen_core_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/language_test.cpp)
