target_sources(wissen_store PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/embedded_postgres.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/migrator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/subprocess.cpp)
