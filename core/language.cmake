target_sources(wissen_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/language.cpp)
